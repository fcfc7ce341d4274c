#!/usr/bin/env python3
"""Drives Morph's official Python SDK (morphcloud 0.1.116) against the Morph
emulator, and checks every emulator response it sees against morph-openapi.json.

usage: morph_conformance.py EMULATOR_BINARY OPENAPI_JSON

Exits 0 when every step passed, 1 otherwise (the failures are listed). Never
touches the real home: HOME points at a temporary folder while the SDK runs.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

KEY = "conformance-key-3b9f"
results = []


def step(name):
    def wrap(function):
        def run(*args):
            try:
                function(*args)
                results.append((name, None))
            except Exception as error:  # report every failure, keep going
                results.append((name, "".join(traceback.format_exception_only(type(error), error)).strip()))
        return run
    return wrap


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    emulator_binary, openapi_path = sys.argv[1], sys.argv[2]
    scratch = tempfile.mkdtemp(prefix="morph-conformance-")
    os.environ["HOME"] = scratch
    os.environ["XDG_CONFIG_HOME"] = scratch + "/config"
    emulator = subprocess.Popen(
        [emulator_binary, "--api-key", KEY, "--boot-delay-ms", "300", "--sandbox-root", scratch + "/sandboxes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = json.loads(emulator.stdout.readline())["port"]
        base = f"http://127.0.0.1:{port}/api"
        os.environ["MORPH_BASE_URL"] = base
        os.environ["MORPH_API_KEY"] = KEY
        run_sdk(base)
        validate_responses(openapi_path, port)
    finally:
        emulator.stdin.close()
        emulator.wait(timeout=30)
    failed = [r for r in results if r[1]]
    for name, error in results:
        print(("FAIL " if error else "ok   ") + name + (f"\n     {error}" if error else ""))
    print(f"{len(results) - len(failed)}/{len(results)} conformance checks passed")
    return 1 if failed else 0


captured = []


def run_sdk(base):
    from morphcloud.api import ApiError, MorphCloudClient

    client = MorphCloudClient()  # key and base URL from MORPH_API_KEY / MORPH_BASE_URL
    http = client._http_client

    def record(response):
        response.read()
        captured.append(response)

    http.event_hooks["response"] = [record]
    state = {}

    @step("start from a snapshot with metadata and TTL, wait until ready")
    def start():
        instance = client.instances.start(
            "snapshot_conform1", metadata={"runjob.name": "conformance", "team": "a b/c"}, ttl_seconds=600, ttl_action="stop")
        expect(instance.status.value == "ready", f"status {instance.status}")
        expect(instance.metadata == {"runjob.name": "conformance", "team": "a b/c"}, f"metadata {instance.metadata}")
        expect(instance.ttl.ttl_seconds == 600 and instance.ttl.ttl_action == "stop", f"ttl {instance.ttl}")
        state["instance"] = instance

    @step("get")
    def get():
        fetched = client.instances.get(state["instance"].id)
        expect(fetched.id == state["instance"].id and fetched.status.value == "ready", f"got {fetched.id} {fetched.status}")
        expect(fetched.refs.snapshot_id == "snapshot_conform1", f"refs {fetched.refs}")

    @step("list with one and with two metadata filters (AND)")
    def listing():
        other = client.instances.start("snapshot_conform1", metadata={"runjob.name": "conformance", "team": "other"})
        state["other"] = other
        one = {i.id for i in client.instances.list(metadata={"runjob.name": "conformance"})}
        expect(one == {state["instance"].id, other.id}, f"one filter: {one}")
        two = {i.id for i in client.instances.list(metadata={"runjob.name": "conformance", "team": "a b/c"})}
        expect(two == {state["instance"].id}, f"two filters: {two}")
        none = client.instances.list(metadata={"runjob.name": "nobody"})
        expect(none == [], f"no match: {none}")

    @step("exec with argv keeps element boundaries")
    def exec_argv():
        result = state["instance"].exec(["printf", "[%s]", "a b", "$HOME", "it's"])
        expect(result.exit_code == 0 and result.stdout == "[a b][$HOME][it's]", f"{result}")

    @step("exec with a shell string runs it as a shell line")
    def exec_shell():
        result = state["instance"].exec("echo $((6*7)) && echo err >&2")
        expect(result.exit_code == 0 and result.stdout == "42\n" and result.stderr == "err\n", f"{result}")

    @step("exec HOME is the sandbox home, not the real one")
    def exec_home():
        result = state["instance"].exec("printf %s \"$HOME\"")
        expect(result.stdout.startswith(os.environ["HOME"] + "/sandboxes/"), f"HOME={result.stdout}")

    @step("exec with a non-zero exit")
    def exec_fail():
        result = state["instance"].exec("echo partial; exit 3")
        expect(result.exit_code == 3 and result.stdout == "partial\n", f"{result}")

    @step("set metadata (replaces the map)")
    def metadata():
        state["instance"].set_metadata({"runjob.name": "conformance", "stage": "two"})
        fetched = client.instances.get(state["instance"].id)
        expect(fetched.metadata == {"runjob.name": "conformance", "stage": "two"}, f"metadata {fetched.metadata}")

    @step("pause, then resume and wait until ready")
    def pause_resume():
        instance = state["instance"]
        instance.pause()
        expect(instance.status.value == "paused", f"after pause: {instance.status}")
        try:
            instance.pause()  # already paused: unchanged
        except ApiError as error:
            raise AssertionError(f"second pause failed: {error.status_code}")
        instance.resume()
        instance.wait_until_ready(timeout=10)
        expect(instance.status.value == "ready", f"after resume: {instance.status}")

    @step("resume of a ready instance is 409")
    def resume_conflict():
        try:
            state["instance"].resume()
        except ApiError as error:
            expect(error.status_code == 409, f"status {error.status_code}")
            return
        raise AssertionError("resume of a ready instance succeeded")

    @step("stop, then get is 404")
    def stop():
        state["instance"].stop()
        state["other"].stop()
        try:
            client.instances.get(state["instance"].id)
        except ApiError as error:
            expect(error.status_code == 404, f"status {error.status_code}")
            return
        raise AssertionError("get after stop succeeded")

    @step("TTL expiry with action stop deletes the instance")
    def ttl():
        short = client.instances.start("snapshot_conform1", ttl_seconds=2)  # start itself waits about 1 s
        expect(short.ttl.ttl_expire_at is not None, f"ttl {short.ttl}")
        time.sleep(1.5)
        try:
            client.instances.get(short.id)
        except ApiError as error:
            expect(error.status_code == 404, f"status {error.status_code}")
            return
        raise AssertionError("instance still there after its TTL")

    @step("wrong key is refused (401/403)")
    def wrong_key():
        wrong = MorphCloudClient(api_key="not-the-key", base_url=base)
        try:
            wrong.instances.list()
        except ApiError as error:
            expect(error.status_code in (401, 403), f"status {error.status_code}")
            expect(isinstance(error.detail, str), "no string detail")
            return
        raise AssertionError("wrong key accepted")

    @step("unknown id is 404 with a string detail")
    def unknown():
        try:
            client.instances.get("morphvm_zzzzzzzz")
        except ApiError as error:
            expect(error.status_code == 404 and isinstance(error.detail, str), f"{error.status_code} {error.detail}")
            return
        raise AssertionError("unknown id found")

    @step("images and snapshots decode")
    def images():
        expect(any(i.id == "morphvm-minimal" for i in client.images.list()), "no morphvm-minimal image")
        snapshot = client.snapshots.get("snapshot_conform1")
        expect(snapshot.id == "snapshot_conform1", f"{snapshot}")

    for check in (start, get, listing, exec_argv, exec_shell, exec_home, exec_fail, metadata, pause_resume, resume_conflict, stop, ttl,
                  wrong_key, unknown, images):
        check()


class _Request:
    def __init__(self, request, port):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict
        self.host_url = f"http://127.0.0.1:{port}"
        self.path = request.url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())), header=Headers(dict(request.headers)), cookie=ImmutableMultiDict())
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "application/json")


class _Response:
    def __init__(self, response):
        from werkzeug.datastructures import Headers
        self.status_code = response.status_code
        self.data = response.content
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(dict(response.headers))


def validate_responses(openapi_path, port):
    from openapi_core import OpenAPI
    from openapi_core.templating.responses.exceptions import ResponseNotFound

    with open(openapi_path) as handle:
        spec = json.load(handle)
    spec["servers"] = [{"url": f"http://127.0.0.1:{port}/api"}]
    openapi = OpenAPI.from_dict(spec)
    checked, undeclared = 0, set()
    for response in captured:
        request = response.request
        name = f"{request.method} {request.url.path} -> {response.status_code}"
        try:
            openapi.validate_response(_Request(request, port), _Response(response))
            checked += 1
        except ResponseNotFound:
            undeclared.add(f"{request.method} {response.status_code}")  # e.g. 401/404/409: not in the document
        except Exception as error:
            results.append((f"OpenAPI: {name}", f"{type(error).__name__}: {error}"))
    results.append((f"OpenAPI: {checked} responses match morph-openapi.json", None if checked > 10 else f"only {checked} checked"))
    if undeclared:
        print("statuses the OpenAPI document does not declare (not validated): " + ", ".join(sorted(undeclared)))


if __name__ == "__main__":
    sys.exit(main())
