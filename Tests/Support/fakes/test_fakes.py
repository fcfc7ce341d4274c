#!/usr/bin/env python3
"""Self-test of the fake `claude` and `codex` CLIs (stdlib unittest).

Run: python3 Tests/Support/fakes/test_fakes.py
Every run uses temp dirs and a temp HOME; the real $HOME is never touched.
"""
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
CLAUDE = os.path.join(HERE, "claude")
CODEX = os.path.join(HERE, "codex")
MIN_PATH = "/usr/local/bin:/usr/bin:/bin"
STREAM = ["-p", "--output-format", "stream-json", "--verbose"]
NO_INPUT = "Error: Input must be provided either through stdin or as a prompt argument when using --print"
ROOT_MSG = "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons"
GIT_MSG = "Not inside a trusted directory and --skip-git-repo-check was not specified."


def jsonl(data):
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


class FakeCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fake-agents-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = os.path.join(self.tmp, "home")
        self.work = os.path.realpath(os.path.join(self.tmp, "work"))
        os.makedirs(self.home)
        os.makedirs(self.work)

    def env(self, **extra):
        env = {"PATH": MIN_PATH, "HOME": self.home, "LANG": "C"}
        env.update(extra)
        return env

    def run_fake(self, exe, args, stdin=None, env=None, cwd=None, timeout=60):
        """stdin: bytes/str to pipe, or None for /dev/null."""
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        kwargs = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
        return subprocess.run([exe] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env if env is not None else self.env(), cwd=cwd or self.work,
                              timeout=timeout, **kwargs)

    def popen(self, exe, args, env=None):
        return subprocess.Popen([exe] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env or self.env(), cwd=self.work)

    def drain(self, proc, timeout=10):
        """Close stdin (if still open) and collect the rest of stdout/stderr."""
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
        proc.stdin = None
        return proc.communicate(timeout=timeout)

    def read_line(self, proc, timeout=10):
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        self.assertTrue(ready, "no output line within %ss" % timeout)
        return json.loads(proc.stdout.readline().decode("utf-8"))

    def assertArgError(self, res, message, code=1):
        self.assertEqual(res.returncode, code, res.stderr)
        self.assertIn(message, res.stderr.decode("utf-8"))
        self.assertEqual(res.stdout, b"")


class ClaudeFakeTests(FakeCase):
    def setUp(self):
        FakeCase.setUp(self)
        self.write_credentials()

    def write_credentials(self, base=None, expires_in_ms=8 * 3600 * 1000, refresh=True, token="sk-ant-oat01-fake"):
        base = base or os.path.join(self.home, ".claude")
        os.makedirs(base, exist_ok=True)
        oauth = {"accessToken": token, "expiresAt": int(time.time() * 1000) + expires_in_ms,
                 "scopes": ["user:inference", "user:profile"], "subscriptionType": "max"}
        if refresh:
            oauth["refreshToken"] = "sk-ant-ort01-fake"
        path = os.path.join(base, ".credentials.json")
        with open(path, "w") as fh:
            json.dump({"claudeAiOauth": oauth}, fh)
        os.chmod(path, 0o600)
        return path

    def claude(self, args, stdin=None, **env):
        return self.run_fake(CLAUDE, args, stdin, self.env(**env))

    def stream(self, prompt, extra=(), **env):
        res = self.claude(STREAM + list(extra), prompt, **env)
        return res, jsonl(res.stdout)

    # ---- argument checks -------------------------------------------------------
    def test_no_stdin_and_no_prompt(self):
        self.assertArgError(self.claude(["-p"]), NO_INPUT)
        self.assertArgError(self.claude(["-p"], stdin=" \n"), NO_INPUT)

    def test_stream_json_requires_verbose(self):
        res = self.claude(["-p", "--output-format", "stream-json"], "hi")
        self.assertArgError(res, "Error: When using --print, --output-format=stream-json requires --verbose")

    def test_bypass_as_root_needs_is_sandbox(self):
        for flags in (["--dangerously-skip-permissions"], ["--permission-mode", "bypassPermissions"],
                      ["--permission-mode=bypassPermissions"]):
            self.assertArgError(self.claude(STREAM + flags, "hi", FAKE_CLAUDE_EUID="0"), ROOT_MSG)
            self.assertEqual(self.claude(STREAM + flags, "hi", FAKE_CLAUDE_EUID="0", IS_SANDBOX="1").returncode, 0)
            self.assertEqual(self.claude(STREAM + flags, "hi", FAKE_CLAUDE_EUID="1000").returncode, 0)
        self.assertArgError(self.claude(STREAM + ["--dangerously-skip-permissions"], "hi",
                                        FAKE_CLAUDE_EUID="0", IS_SANDBOX="true"), ROOT_MSG)

    def test_unknown_flag_missing_value_bad_choice(self):
        self.assertArgError(self.claude(["-p", "--no-such-flag"], "hi"), "error: unknown option '--no-such-flag'")
        self.assertArgError(self.claude(["-p", "--model"], "hi"), "argument missing")
        self.assertArgError(self.claude(["-p", "--session-id", "-x"], "hi"), "argument missing")
        self.assertArgError(self.claude(["-p", "--output-format", "xml"], "hi"), "Allowed choices are")
        self.assertArgError(self.claude(["-p", "--permission-mode", "yolo"], "hi"), "Allowed choices are")
        self.assertArgError(self.claude(["-p", "a", "b"], "hi"), "too many arguments")

    def test_variadic_options_swallow_the_prompt(self):
        res = self.claude(["-p", "--allowedTools", "Read", "Bash(git log:*)", "say hi"])
        self.assertArgError(res, NO_INPUT)
        for args in (["-p", "--allowedTools", "Read", "--", "say hi"],
                     ["-p", "--allowedTools", "Read,Bash", "--output-format", "text", "say hi"],
                     ["-p", "--add-dir=/tmp", "--verbose", "say hi"]):
            res = self.claude(args)
            self.assertEqual(res.returncode, 0, (args, res.stderr))
            self.assertTrue(res.stdout.startswith(b"Done."))

    def test_other_argument_errors(self):
        self.assertArgError(self.claude(["-p", "--input-format", "stream-json"], "{}"),
                            "--input-format=stream-json requires output-format=stream-json")
        self.assertArgError(self.claude(["-p", "--session-id", "not-a-uuid"], "hi"), "Invalid session ID")
        sid = str(uuid.uuid4())
        self.assertArgError(self.claude(["-p", "--session-id=" + sid, "--resume=" + sid], "hi"),
                            "--fork-session")
        self.assertArgError(self.claude(["-p", "--system-prompt", "a", "--system-prompt-file", "/x"], "hi"),
                            "Cannot use both")
        self.assertArgError(self.claude(["-p", "--append-system-prompt-file", "/nonexistent"], "hi"),
                            "file not found")
        self.assertArgError(self.claude(["-p", "--max-turns", "zero"], "hi"), "--max-turns")
        self.assertArgError(self.claude(["hi"], "hi"), "interactive mode is not modelled")

    def test_version(self):
        res = self.claude(["--version"])
        self.assertEqual((res.returncode, res.stdout), (0, b"2.1.240 (Claude Code)\n"))

    # ---- stream-json -------------------------------------------------------------
    def test_success_stream_order_and_fields(self):
        prompt = "Review the repo.\n"
        res, lines = self.stream(prompt, FAKE_CLAUDE_HOOKS="1")
        self.assertEqual(res.returncode, 0, res.stderr)
        types = [(l["type"], l.get("subtype")) for l in lines]
        self.assertEqual(types[:3], [("system", "hook_started"), ("system", "hook_response"), ("system", "init")])
        self.assertEqual(types[-1], ("result", "success"))
        self.assertEqual(sum(1 for t in types if t == ("system", "init")), 1)
        init = lines[2]
        sid = init["session_id"]
        self.assertEqual(str(uuid.UUID(sid)), sid)
        self.assertEqual(init["cwd"], self.work)
        self.assertEqual(init["model"], "claude-sonnet-4-5")
        self.assertEqual(init["permissionMode"], "default")
        self.assertEqual(init["apiKeySource"], "none")
        self.assertEqual(init["claude_code_version"], "2.1.240")
        self.assertIn("Bash", init["tools"])
        self.assertEqual(init["mcp_servers"], [])
        for line in lines:
            self.assertEqual(line["session_id"], sid)
            self.assertIn("uuid", line)
        assistants = [l for l in lines if l["type"] == "assistant"]
        first_id = assistants[0]["message"]["id"]
        self.assertEqual(assistants[1]["message"]["id"], first_id)
        self.assertEqual([b["type"] for a in assistants[:2] for b in a["message"]["content"]], ["text", "tool_use"])
        tool_id = assistants[1]["message"]["content"][0]["id"]
        user = [l for l in lines if l["type"] == "user"][0]
        self.assertEqual(user["message"]["content"][0]["tool_use_id"], tool_id)
        result = lines[-1]
        n = len(prompt.encode())
        self.assertEqual(result["is_error"], False)
        self.assertEqual(result["num_turns"], 2)
        self.assertEqual(result["total_cost_usd"], round(0.0001 * n, 4))
        self.assertEqual((result["duration_ms"], result["duration_api_ms"]), (2250, 2000))
        self.assertEqual(result["terminal_reason"], "completed")
        self.assertIn(hashlib.sha256(prompt.encode()).hexdigest(), result["result"])
        # default permission mode in -p: Bash is denied but the run still succeeds
        self.assertEqual(result["permission_denials"][0]["tool_name"], "Bash")
        for key in ("usage", "modelUsage", "uuid", "session_id", "stop_reason"):
            self.assertIn(key, result)

    def test_api_key_source_model_and_permissions(self):
        shutil.rmtree(os.path.join(self.home, ".claude"))
        res, lines = self.stream("hi", ["--model", "opus", "--allowedTools", "Bash(ls:*)"],
                                 ANTHROPIC_API_KEY="sk-ant-api03-fake")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(lines[0]["apiKeySource"], "ANTHROPIC_API_KEY")
        self.assertEqual(lines[0]["model"], "claude-opus-4-5")
        self.assertNotIn("rate_limit_event", [l["type"] for l in lines])
        self.assertEqual(lines[-1]["permission_denials"], [])
        self.assertNotIn(b"sk-ant-api03-fake", res.stdout)

    def test_session_ids(self):
        sid = str(uuid.uuid4())
        for flag in ("--session-id=" + sid, "--resume=" + sid):
            res, lines = self.stream("hi", [flag])
            self.assertEqual((lines[0]["session_id"], lines[-1]["session_id"]), (sid, sid))
        res, lines = self.stream("hi", ["--resume=" + sid, "--fork-session"])
        self.assertNotEqual(lines[0]["session_id"], sid)

    def test_partial_messages_and_stream_json_input(self):
        msg = json.dumps({"type": "user", "message": {"role": "user", "content": "hello"}})
        res, lines = self.stream(msg + "\n", ["--input-format", "stream-json", "--include-partial-messages"])
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("stream_event", [l["type"] for l in lines])
        self.assertIn("had 5 bytes", lines[-1]["result"])

    def test_json_and_text_formats(self):
        res = self.claude(["-p", "--output-format", "json"], "hi")
        obj = json.loads(res.stdout)
        self.assertEqual((res.returncode, obj["type"], obj["subtype"]), (0, "result", "success"))
        res = self.claude(["-p", "--output-format", "json", "--verbose"], "hi")
        arr = json.loads(res.stdout)
        self.assertIsInstance(arr, list)
        self.assertEqual((arr[0]["subtype"], arr[-1]["type"]), ("init", "result"))
        res = self.claude(["-p"], "hi")
        self.assertEqual(res.stdout.decode().count("\n"), 1)
        self.assertTrue(res.stdout.startswith(b"Done. The prompt had 2 bytes"))

    def test_json_schema_and_budget(self):
        schema = json.dumps({"type": "object", "properties": {"ok": {"type": "boolean"}, "n": {"type": "integer"}}})
        res = self.claude(["-p", "--output-format", "json", "--json-schema", schema], "hi")
        self.assertEqual(json.loads(res.stdout)["structured_output"], {"ok": False, "n": 0})
        res = self.claude(["-p", "--output-format", "json", "--max-budget-usd", "0.001"], "x" * 100)
        obj = json.loads(res.stdout)
        self.assertEqual((res.returncode, obj["subtype"], obj["is_error"]), (1, "error_max_budget_usd", True))

    # ---- scenarios ---------------------------------------------------------------
    def test_max_turns(self):
        res, lines = self.stream("fake-claude: max_turns\n")
        self.assertEqual(res.returncode, 1)
        self.assertEqual((lines[-1]["subtype"], lines[-1]["is_error"], lines[-1]["num_turns"]),
                         ("error_max_turns", True, 4))
        self.assertEqual(lines[-1]["errors"], ["Reached maximum number of turns (3)"])
        res, lines = self.stream("go", ["--max-turns", "2"], FAKE_CLAUDE_SCENARIO="max_turns")
        self.assertEqual((res.returncode, lines[-1]["num_turns"]), (1, 3))
        res, lines = self.stream("plain success needs two turns", ["--max-turns", "1"])
        self.assertEqual((res.returncode, lines[-1]["subtype"]), (1, "error_max_turns"))
        res, lines = self.stream("plain success", ["--max-turns", "2"])
        self.assertEqual((res.returncode, lines[-1]["subtype"]), (0, "success"))

    def check_auth_failure(self, res, lines, text="Not logged in \u00b7 Please run /login"):
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertEqual(lines[0]["subtype"], "init")
        synthetic = [l for l in lines if l["type"] == "assistant"]
        self.assertEqual(synthetic[0]["message"]["model"], "<synthetic>")
        self.assertEqual(synthetic[0]["error"], "authentication_failed")
        self.assertEqual((lines[-1]["type"], lines[-1]["subtype"], lines[-1]["is_error"], lines[-1]["result"]),
                         ("result", "success", True, text))
        self.assertEqual(lines[-1]["total_cost_usd"], 0)

    def test_auth_error_scenario(self):
        self.check_auth_failure(*self.stream("x\nfake-claude: auth_error\n"))

    def test_credentials(self):
        shutil.rmtree(os.path.join(self.home, ".claude"))
        self.check_auth_failure(*self.stream("hi"))
        self.assertEqual(self.stream("hi", FAKE_CLAUDE_SKIP_AUTH="1")[0].returncode, 0)
        self.assertEqual(self.stream("hi", CLAUDE_CODE_OAUTH_TOKEN="sk-ant-oat01-x")[0].returncode, 0)
        self.check_auth_failure(*self.stream("hi", ["--bare"], CLAUDE_CODE_OAUTH_TOKEN="sk-ant-oat01-x"))
        config = os.path.join(self.tmp, "config")
        self.write_credentials(config)
        self.check_auth_failure(*self.stream("hi"))  # file not under ~/.claude
        self.assertEqual(self.stream("hi", CLAUDE_CONFIG_DIR=config)[0].returncode, 0)
        self.write_credentials(expires_in_ms=-60000, refresh=False)
        self.check_auth_failure(*self.stream("hi"), text="OAuth token has expired \u00b7 Please run /login")
        self.write_credentials(expires_in_ms=-60000, refresh=True)
        self.check_auth_failure(*self.stream("hi"), text="OAuth token has expired \u00b7 Please run /login")
        self.write_credentials(token="")
        self.check_auth_failure(*self.stream("hi"))
        # The shape the real CLI reads: integer milliseconds, scopes an array.
        path = self.write_credentials()
        for change in ({"expiresAt": "2030-01-01T00:00:00Z"}, {"expiresAt": 1.5e12}, {"scopes": "user:inference"}):
            with open(path) as fh:
                data = json.load(fh)
            data["claudeAiOauth"].update(change)
            with open(path, "w") as fh:
                json.dump(data, fh)
            self.check_auth_failure(*self.stream("hi"))
        # CLAUDE_CODE_OAUTH_TOKEN wins over a broken file.
        self.assertEqual(self.stream("hi", CLAUDE_CODE_OAUTH_TOKEN="sk-ant-oat01-x")[0].returncode, 0)
        res = self.claude(["-p"], "hi", CLAUDE_CONFIG_DIR=os.path.join(self.tmp, "missing"))
        self.assertEqual((res.returncode, res.stdout), (1, "Not logged in \u00b7 Please run /login\n".encode()))

    def test_long_line(self):
        res = self.claude(STREAM, "fake-claude: long_line")
        self.assertEqual(res.returncode, 0, res.stderr)
        raw = res.stdout.split(b"\n")
        self.assertTrue(any(len(l) > 64 * 1024 for l in raw))
        long_line = [l for l in raw if len(l) > 64 * 1024][0]
        msg = json.loads(long_line.decode("utf-8"))
        self.assertEqual(msg["type"], "assistant")
        self.assertIn("\u20ac\U0001F680", msg["message"]["content"][0]["text"])
        self.assertEqual(jsonl(res.stdout)[-1]["subtype"], "success")

    def test_cat_file(self):
        path = self.write_credentials(token="sk-ant-oat01-cat-me")
        res, events = self.stream("fake-claude: cat_file", ["--allowedTools", "Bash"])
        self.assertEqual(res.returncode, 1, res.stderr)
        results = [b for e in events if e["type"] == "user" for b in e["message"]["content"] if b["type"] == "tool_result"]
        self.assertEqual(len(results), 1)
        with open(path) as fh:
            self.assertEqual(results[0]["content"], fh.read())
        self.assertEqual(events[-1]["subtype"], "error_during_execution")
        self.assertIn("sk-ant-oat01-cat-me", events[-1]["errors"][0])

    def test_sigterm_truncates_stream(self):
        proc = self.popen(CLAUDE, STREAM)
        proc.stdin.write(b"fake-claude: sigterm\n")
        proc.stdin.close()
        self.assertEqual(self.read_line(proc)["subtype"], "init")
        proc.send_signal(signal.SIGTERM)
        rest, _ = self.drain(proc)
        self.assertEqual(proc.returncode, 143)
        self.assertNotIn("result", [l["type"] for l in jsonl(rest)])

    def test_slow_until_released(self):
        release = os.path.join(self.tmp, "release")
        proc = self.popen(CLAUDE, STREAM, self.env(FAKE_CLAUDE_RELEASE=release))
        proc.stdin.write(b"fake-claude: slow\n")
        proc.stdin.close()
        self.assertEqual(self.read_line(proc)["subtype"], "init")
        time.sleep(0.3)
        self.assertIsNone(proc.poll())
        open(release, "w").close()
        rest, _ = self.drain(proc)
        self.assertEqual((proc.returncode, jsonl(rest)[-1]["subtype"]), (0, "success"))

    def test_exit_nonzero_and_truncated(self):
        res, lines = self.stream("fake-claude: exit_nonzero")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(lines[0]["subtype"], "init")
        self.assertNotIn("result", [l["type"] for l in lines])
        res = self.claude(STREAM, "fake-claude: truncated")
        self.assertEqual(res.returncode, 1)
        self.assertFalse(res.stdout.endswith(b"\n"))
        *complete, partial = res.stdout.split(b"\n")
        self.assertTrue(all(json.loads(l)["type"] != "result" for l in complete))
        self.assertRaises(ValueError, json.loads, partial.decode("utf-8"))

    def test_echo_env_names_only(self):
        res, lines = self.stream("fake-claude: echo_env", FAKE_CLAUDE_SHOW_ENV="SECRET_A, SECRET_B,MISSING_C",
                                 SECRET_A="value-aaa", SECRET_B="")
        self.assertEqual(lines[-1]["result"], "ENV_PRESENT=SECRET_A,SECRET_B\nENV_ABSENT=MISSING_C")
        self.assertNotIn(b"value-aaa", res.stdout + res.stderr)

    def test_write_file_with_300k_prompt(self):
        prompt = ("fake-claude: write_file\n" + "0123456789abcdef\u00e9" * 18000).encode("utf-8")
        self.assertGreater(len(prompt), 300 * 1024)
        res, lines = self.stream(prompt, ["--dangerously-skip-permissions"], IS_SANDBOX="1")
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(self.work, "claude-output.txt")) as fh:
            self.assertEqual(fh.read(), hashlib.sha256(prompt).hexdigest() + "\n")
        self.assertEqual(lines[-1]["total_cost_usd"], round(0.0001 * len(prompt), 4))
        self.assertEqual(lines[-1]["usage"]["input_tokens"], (len(prompt) + 3) // 4)

    def test_write_file_permissions(self):
        res, lines = self.stream("fake-claude: write_file", FAKE_CLAUDE_OUT="out.txt")
        self.assertEqual((res.returncode, lines[-1]["is_error"]), (0, False))
        self.assertEqual(lines[-1]["permission_denials"][0]["tool_name"], "Write")
        self.assertFalse(os.path.exists(os.path.join(self.work, "out.txt")))
        for extra in (["--allowedTools", "Write"], ["--permission-mode", "acceptEdits"]):
            res, lines = self.stream("fake-claude: write_file", extra, FAKE_CLAUDE_OUT="out.txt")
            self.assertEqual(lines[-1]["permission_denials"], [], extra)
            self.assertTrue(os.path.exists(os.path.join(self.work, "out.txt")))
            os.remove(os.path.join(self.work, "out.txt"))
        res, lines = self.stream("fake-claude: write_file", ["--tools", ""])
        self.assertEqual(lines[0]["tools"], [])
        self.assertIn("not available", lines[-1]["result"])

    # ---- stdin -------------------------------------------------------------------
    def test_stdin_is_read_to_eof(self):
        proc = self.popen(CLAUDE, ["-p", "--output-format", "json"])
        proc.stdin.write(b"first part ")
        proc.stdin.flush()
        time.sleep(1.0)
        self.assertIsNone(proc.poll(), "must block until stdin reaches EOF")
        proc.stdin.write(b"second part")
        out, err = self.drain(proc)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("had 22 bytes", json.loads(out)["result"])

    def test_prompt_argument_and_stdin(self):
        res = self.claude(["-p", "--output-format", "json", "question"], "context")
        self.assertIn("had 17 bytes", json.loads(res.stdout)["result"])  # "context\n\nquestion"
        res = self.claude(["-p", "--output-format", "json", "question"])
        self.assertIn("had 8 bytes", json.loads(res.stdout)["result"])

    def test_prompt_argument_with_open_stdin_proceeds_after_guard(self):
        proc = self.popen(CLAUDE, ["-p", "--output-format", "json", "question"])
        start = time.time()
        self.assertEqual(proc.wait(timeout=10), 0)  # stdin stays open: nothing is ever written
        self.assertGreaterEqual(time.time() - start, 2.5)
        out, err = self.drain(proc)
        self.assertIn("had 8 bytes", json.loads(out)["result"])
        self.assertIn(b"no stdin data received in 3s", err)

    def test_optional_stdin_guard_without_prompt_argument(self):
        proc = self.popen(CLAUDE, ["-p"], self.env(FAKE_CLAUDE_STDIN_GUARD="1"))
        self.assertEqual(proc.wait(timeout=10), 1)
        out, err = self.drain(proc)
        self.assertEqual(out, b"")
        self.assertIn(NO_INPUT.encode(), err)

    def test_login_shell_minimal_env(self):
        script = "cd %s && printf '%%s' 'hello' | %s -p --output-format json" % (self.work, CLAUDE)
        res = subprocess.run(["env", "-i", "PATH=" + MIN_PATH, "HOME=" + self.home, "bash", "-lc", script],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(json.loads(res.stdout)["is_error"], False)


class CodexFakeTests(FakeCase):
    def setUp(self):
        FakeCase.setUp(self)
        self.codex_home = os.path.join(self.home, ".codex")
        os.makedirs(self.codex_home)
        self.write_auth({"auth_mode": "chatgpt", "OPENAI_API_KEY": None,
                         "tokens": {"id_token": "x.y.z", "access_token": "a.b.c", "refresh_token": "r",
                                    "account_id": str(uuid.uuid4())}, "last_refresh": "2026-08-20T10:15:03.120Z"})

    def write_auth(self, data, home=None):
        path = os.path.join(home or self.codex_home, "auth.json")
        with open(path, "w") as fh:
            json.dump(data, fh)
        os.chmod(path, 0o600)

    def codex(self, args, stdin=None, **env):
        return self.run_fake(CODEX, ["exec"] + args, stdin, self.env(**env))

    def events(self, prompt, extra=(), **env):
        res = self.codex(["--json", "--skip-git-repo-check"] + list(extra) + ["-"], prompt, **env)
        return res, jsonl(res.stdout)

    def test_no_prompt(self):
        self.assertArgError(self.codex(["--skip-git-repo-check"]), "No prompt provided via stdin.")
        self.assertArgError(self.codex(["--skip-git-repo-check", "-"], "  \n"), "No prompt provided via stdin.")

    def test_git_check(self):
        self.assertArgError(self.codex(["-"], "hi"), GIT_MSG)
        for flag in ("--skip-git-repo-check", "--yolo", "--dangerously-bypass-approvals-and-sandbox"):
            self.assertEqual(self.codex([flag, "-"], "hi").returncode, 0, flag)
        repo = os.path.join(self.tmp, "repo")
        os.makedirs(os.path.join(repo, "sub"))
        os.makedirs(os.path.join(repo, ".git"))
        self.assertEqual(self.codex(["-C", os.path.join(repo, "sub"), "-"], "hi").returncode, 0)
        res = self.run_fake(CODEX, ["exec", "-"], "hi", cwd=repo)
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_clap_errors(self):
        self.assertArgError(self.codex(["--bogus", "hi"]), "error: unexpected argument '--bogus' found", 2)
        self.assertArgError(self.codex(["hi", "--model"]), "a value is required for '--model <MODEL>'", 2)
        self.assertArgError(self.codex(["-s", "full"]), "invalid value 'full' for '--sandbox <SANDBOX_MODE>'", 2)
        self.assertArgError(self.codex(["a", "b"]), "unexpected argument 'b' found", 2)
        self.assertArgError(self.codex(["--yolo", "--full-auto", "hi"]), "cannot be used with", 2)

    def test_json_events(self):
        res, ev = self.events("list files")
        self.assertEqual(res.returncode, 0, res.stderr)
        types = [e["type"] for e in ev]
        self.assertEqual(types[:2], ["thread.started", "turn.started"])
        self.assertEqual(types[-1], "turn.completed")
        tid = ev[0]["thread_id"]
        self.assertEqual(str(uuid.UUID(tid)), tid)
        items = [(e["type"], e["item"]["type"]) for e in ev if e["type"].startswith("item.")]
        self.assertIn(("item.started", "command_execution"), items)
        self.assertIn(("item.completed", "command_execution"), items)
        self.assertEqual(items[-1], ("item.completed", "agent_message"))
        started = [e["item"] for e in ev if e["type"] == "item.started"][0]
        self.assertEqual((started["status"], started["exit_code"]), ("in_progress", None))
        usage = ev[-1]["usage"]
        self.assertEqual(usage["input_tokens"], (len(b"list files") + 3) // 4)
        self.assertEqual(set(usage), {"input_tokens", "cached_input_tokens", "output_tokens"})

    def test_human_output(self):
        res = self.codex(["--skip-git-repo-check", "-"], "hi")
        self.assertEqual(res.stdout.decode(), "Done. The prompt had 2 bytes (sha256 %s).\n"
                         % hashlib.sha256(b"hi").hexdigest())
        self.assertIn(b"session id:", res.stderr)

    def test_prompt_argument_waits_for_stdin_eof(self):
        proc = self.popen(CODEX, ["exec", "--json", "--skip-git-repo-check", "question"])
        proc.stdin.write(b"extra")
        proc.stdin.flush()
        time.sleep(1.0)
        self.assertIsNone(proc.poll(), "prompt argument + open stdin must wait for EOF")
        out, err = self.drain(proc)
        self.assertEqual(proc.returncode, 0, err)
        expected = hashlib.sha256(b"question\n\n<stdin>\nextra\n</stdin>").hexdigest()
        self.assertIn(expected, jsonl(out)[-2]["item"]["text"])
        res = self.codex(["--skip-git-repo-check", "question"])  # /dev/null: no block, no block appended
        self.assertIn(hashlib.sha256(b"question").hexdigest(), res.stdout.decode())

    def test_turn_failed_and_error(self):
        res, ev = self.events("fake-codex: turn_failed")
        self.assertEqual((res.returncode, ev[-1]["type"]), (1, "turn.failed"))
        self.assertIn("message", ev[-1]["error"])
        res, ev = self.events("x", FAKE_CODEX_SCENARIO="error")
        self.assertEqual((res.returncode, ev[-1]["type"]), (1, "error"))
        res = self.codex(["--skip-git-repo-check", "-"], "fake-codex: turn_failed")
        self.assertEqual((res.returncode, res.stdout), (1, b""))
        self.assertIn(b"ERROR:", res.stderr)

    def test_credentials(self):
        os.remove(os.path.join(self.codex_home, "auth.json"))
        res, ev = self.events("hi")
        self.assertEqual((res.returncode, ev[-1]["type"]), (1, "turn.failed"))
        self.assertIn("401", ev[-1]["error"]["message"])
        self.assertEqual(self.events("hi", CODEX_API_KEY="sk-fake")[0].returncode, 0)
        self.assertEqual(self.events("hi", FAKE_CODEX_SKIP_AUTH="1")[0].returncode, 0)
        self.assertEqual(self.events("hi", OPENAI_API_KEY="sk-fake")[0].returncode, 1)
        other = os.path.join(self.tmp, "codex-home")
        os.makedirs(other)
        self.write_auth({"OPENAI_API_KEY": "sk-fake"}, other)
        self.assertEqual(self.events("hi", CODEX_HOME=other)[0].returncode, 0)
        res = self.codex(["--skip-git-repo-check", "-"], "hi", CODEX_HOME=os.path.join(self.tmp, "nope"))
        self.assertArgError(res, "CODEX_HOME points to")
        res = self.run_fake(CODEX, ["login", "status"], env=self.env(CODEX_HOME=other))
        self.assertEqual(res.returncode, 0)

    def test_slow_sigterm_and_release(self):
        proc = self.popen(CODEX, ["exec", "--json", "--skip-git-repo-check", "-"])
        proc.stdin.write(b"fake-codex: slow")
        proc.stdin.close()
        self.assertEqual(self.read_line(proc)["type"], "thread.started")
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        rest, _ = self.drain(proc)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.assertNotIn("turn.completed", [e["type"] for e in jsonl(rest)])
        release = os.path.join(self.tmp, "go")
        open(release, "w").close()
        res, ev = self.events("fake-codex: slow", FAKE_CODEX_RELEASE=release)
        self.assertEqual((res.returncode, ev[-1]["type"]), (0, "turn.completed"))

    def test_write_file_with_300k_prompt(self):
        prompt = ("fake-codex: write_file\n" + "0123456789abcdef\u00e9" * 18000).encode("utf-8")
        self.assertGreater(len(prompt), 300 * 1024)
        res, ev = self.events(prompt, ["--sandbox", "workspace-write"])
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(self.work, "codex-output.txt")) as fh:
            self.assertEqual(fh.read(), hashlib.sha256(prompt).hexdigest() + "\n")
        change = [e["item"] for e in ev if e.get("item", {}).get("type") == "file_change"][0]
        self.assertEqual((change["status"], change["changes"][0]["kind"]), ("completed", "add"))

    def test_write_file_sandbox(self):
        res, ev = self.events("fake-codex: write_file", FAKE_CODEX_OUT="o.txt")
        change = [e["item"] for e in ev if e.get("item", {}).get("type") == "file_change"][0]
        self.assertEqual((res.returncode, change["status"]), (0, "failed"))
        self.assertFalse(os.path.exists(os.path.join(self.work, "o.txt")))
        res, ev = self.events("fake-codex: write_file", ["--yolo"], FAKE_CODEX_OUT="o.txt")
        self.assertTrue(os.path.exists(os.path.join(self.work, "o.txt")))

    def test_last_message_schema_image_resume_echo_env(self):
        last = os.path.join(self.tmp, "last.txt")
        res = self.codex(["--skip-git-repo-check", "-o", last, "-"], "hi")
        with open(last) as fh:
            self.assertEqual(fh.read() + "\n", res.stdout.decode())
        schema = os.path.join(self.tmp, "schema.json")
        with open(schema, "w") as fh:
            json.dump({"type": "object", "properties": {"summary": {"type": "string"}}}, fh)
        res = self.codex(["--skip-git-repo-check", "--output-schema", schema, "-"], "hi")
        self.assertEqual(json.loads(res.stdout), {"summary": "fake"})
        res = self.codex(["--skip-git-repo-check", "-i", "a.png", "describe"])
        self.assertArgError(res, "No prompt provided via stdin.")  # -i swallowed the prompt
        tid = str(uuid.uuid4())
        res = self.run_fake(CODEX, ["exec", "resume", tid, "--json", "--skip-git-repo-check", "-"], "next")
        self.assertEqual(jsonl(res.stdout)[0]["thread_id"], tid)
        res, ev = self.events("fake-codex: echo_env", FAKE_CODEX_SHOW_ENV="TOKEN_X,NOPE", TOKEN_X="secret-123")
        self.assertEqual(ev[-2]["item"]["text"], "ENV_PRESENT=TOKEN_X\nENV_ABSENT=NOPE")
        self.assertNotIn(b"secret-123", res.stdout + res.stderr)

    def test_login_shell_minimal_env(self):
        script = "cd %s && printf '%%s' 'hello' | %s exec --skip-git-repo-check --json -" % (self.work, CODEX)
        res = subprocess.run(["env", "-i", "PATH=" + MIN_PATH, "HOME=" + self.home, "bash", "-lc", script],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(jsonl(res.stdout)[-1]["type"], "turn.completed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
