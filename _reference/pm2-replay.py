#!/usr/bin/env python3
"""Replay the captured PM2 7.0.3 command sequence (fixtures/pm2-7.0.3/INDEX.md)
against a `pm2` executable (default: the fake in Tests/Support/fakes/pm2) and
compare stdout, stderr and exit code with every captured case.

Usage:  python3 _reference/pm2-replay.py [--pm2 PATH] [--pass plain|renamed|both] [--keep]

Two passes, each in a fresh temporary HOME (PM2_HOME = $HOME/.pm2; the real
$HOME is never touched):
  plain    the commands exactly as captured;
  renamed  every process name, echoed word and the demo env var replaced by
           something else (names of other lengths), and the same replacement
           applied to the expected fixtures: a fake that only replays files fails.

Normalisation before comparing (both sides): the temporary home -> /root;
ms-epoch timestamps, uuids, ISO dates, non-zero pids/_tree_pids, non-zero
memory/cpu figures, uptimes, 0/1 `unstable_restarts` (uptime-derived) and the
`host metrics` numbers -> placeholders.
Box tables are compared cell by cell: every table row becomes its list of
stripped cells and every border line keeps only its column structure, so a
name of another length (renamed pass) or the re-padded describe table of the
capture (the capture's home path was rewritten to /root afterwards, leaving
its value column 97 wide) still compare exactly cell for cell; the padding of
the actual tables is checked separately (all lines of a table the same width,
name column = longest name + 5, 11 when empty).  In the renamed pass the
10-character `logs` prefixes of the expected output are recomputed
(`<id>|<name>` padded/cut to 10), since the capture's prefixes were cut from
the original names.

Steps between captures that INDEX.md describes or implies are run too (marked
"setup" below, never compared): waiting for exits (polling `pm2 jlist -s`),
the `kill -9`, writing eco.json, the 200 029-character line (gen.sh), ~/work,
~/runs/r1 (case 29 shows no "Creating folder" line, so it existed), the
uncaptured `delete`s that make later pm_ids start at 0, `pm2 stop cc-cwd`
between 39 and 45 (the only difference between the two jlists), and `pm2 kill`
before 91 (its env carries PM2_INTERACTOR_PROCESSING, i.e. that start spawned
the daemon).  Cases 20 and 29 run with FAKE_PM2_SETTLE_MS (their tables show
the quickly exiting program already stopped; real PM2 races there, case 31
shows the other outcome).

After the cases a few behaviour checks run (start does not block, concurrent
starts are all listed, logs are appended, stdin never reaches EOF, the caller's
env reaches the program, no process or zombie is left after `pm2 kill`).
The replay makes itself a child subreaper (PR_SET_CHILD_SUBREAPER) and reaps
the fake's orphaned supervisors itself (this VM's PID 1 reaps orphans only
every second or two), so "no zombie" is checked deterministically; it kills
whatever is left and removes its temp dir.  Exit status 0 only when every case and check passes.
"""
import argparse
import ctypes
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, '_reference', 'fixtures', 'pm2-7.0.3')
BOX = '\u250c\u2502\u251c\u2514'

# renamed pass: (captured text, replacement).  Longest first when applied.
RENAMES = [
    ('cc-eco-strargs', 'rj-ecosys-strargs'),
    ('cc-eco', 'rj-ecosys'),
    ('cc-demo', 'rj-demo-task'),
    ('cc-abs', 'rj-abs2'),
    ('cc-k9', 'rj-killed9'),
    ('cc-crash', 'rj-crashy'),
    ('cc-notime', 'rj-plain'),
    ('cc-time', 'rj-stamped'),
    ('cc-cwd', 'rj-nodir'),
    ('cc-inst', 'rj-multi'),
    ('cc-merge', 'rj-merged'),
    ('cc-lg', 'rj-logs'),
    ('cc-mr', 'rj-maxr'),
    ('cc-x', 'rj-y'),
    ('cc-u', 'rj-unk'),
    ('nope', 'ghost-proc'),
    ('hello-out', 'greet-on-stdout'),
    ('hello-err', 'greet-err'),
    ('done-out', 'finished'),
    ('second-run', 'again-2'),
    ('first-abs', 'alpha-abs'),
    ('second-abs', 'beta-abs-xyz'),
    ('echo run;', 'echo go;'),
    ('echo one two', 'echo uno dos tres'),
    ('changed-args', 'new-args'),
    ('to-out', 'o-line'),
    ('to-err', 'e-line'),
    ('DEMO_TOKEN', 'RJ_SECRET_X'),
    ('example-value', 'sample-v2'),
]


class Subst(object):
    def __init__(self, pairs):
        self.pairs = sorted(pairs, key=lambda p: -len(p[0]))
        self.rx = re.compile('|'.join(re.escape(a) for a, _ in self.pairs)) if pairs else None
        self.map = dict(self.pairs)

    def __call__(self, s):
        if not self.rx:
            return s
        return self.rx.sub(lambda m: self.map[m.group(0)], s)


# --------------------------------------------------------------------------- normalisation

def normalize_table_line(line):
    if line[0] == '\u2502':
        cells = [c.strip() for c in line.split('\u2502')[1:-1]]
        return '\u2502' + '\u2502'.join(cells) + '\u2502'
    return re.sub('\u2500+', '\u2500', line)


def normalize(text, home=None):
    if home:
        text = text.replace(home, '/root')
    text = re.sub(r'\b1[5-9]\d{11}\b', '<TS>', text)
    text = re.sub(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<UUID>', text)
    text = re.sub(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', '<ISO>', text)
    text = re.sub(r'"pid":[1-9]\d*', '"pid":<PID>', text)
    text = re.sub(r'"_tree_pids":\[[^\]]*\]', '"_tree_pids":[<PIDS>]', text)
    text = re.sub(r'"memory":[1-9]\d*', '"memory":<MEM>', text)
    # An exit within min_uptime (1 s) counts as unstable: uptime-derived, so it depends
    # on how fast the machine runs the steps between captures (a loaded CI box is slow).
    text = re.sub(r'"unstable_restarts":[01]\b', '"unstable_restarts":<0|1>', text)
    text = re.sub(r'"cpu":(?!0[,}])[\d.]+', '"cpu":<CPU>', text)
    text = re.sub(r'^host metrics \| cpu: [\d.]+% \| ram usage: [\d.]+% \| disk: \u21d3 [\d.]+mb/s \u21d1 [\d.]+mb/s$',
                  'host metrics | cpu: <N>% | ram usage: <N>% | disk: \u21d3 <N>mb/s \u21d1 <N>mb/s', text, flags=re.M)
    out = []
    header = None
    for line in text.split('\n'):
        if line and line[0] in BOX:
            n = normalize_table_line(line)
            if line[0] == '\u2502':
                cells = n.split('\u2502')[1:-1]
                if 'namespace' in cells and 'status' in cells:
                    header = cells
                elif header and len(cells) == len(header):
                    row = dict(zip(header, cells))
                    if re.match(r'^\d+[smhDMY]$', row['uptime']):
                        cells[header.index('uptime')] = '<UP>'
                    if row['pid'].isdigit() and row['pid'] != '0':
                        cells[header.index('pid')] = '<PID>'
                    if row['status'] == 'online':
                        cells[header.index('mem')] = '<MEM>'
                        cells[header.index('cpu')] = '<CPU>'
                elif len(cells) == 2 and cells[0] == 'uptime' and re.match(r'^\d+[smhDMY]$', cells[1]):
                    cells[1] = '<UP>'
                n = '\u2502' + '\u2502'.join(cells) + '\u2502'
            out.append(n)
        else:
            header = None
            out.append(line)
    return '\n'.join(out)


def repad_log_prefixes(text):
    def fix(m):
        return (m.group(1) + ' ' * 10)[:10] + ' | '
    return re.sub(r'^(\d+\|[^ |]*) *\| ', fix, text, flags=re.M)


def table_geometry_problems(text):
    problems = []
    block = []
    for line in text.split('\n') + ['']:
        if line and line[0] in BOX:
            block.append(line)
            continue
        if block:
            widths = set(len(l) for l in block)
            if len(widths) != 1:
                problems.append('table lines of unequal width: %s' % sorted(widths))
            head = [c for c in block[1].split('\u2502')[1:-1]] if len(block) > 1 and block[1][0] == '\u2502' else []
            if [c.strip() for c in head][:3] == ['id', 'name', 'namespace']:
                names = [r.split('\u2502')[2].strip() for r in block[3:-1]] if len(block) > 3 else []
                want = (max(len(n) for n in names) + 5) if names else 11
                if len(head[1]) != want:
                    problems.append('name column width %d, expected %d' % (len(head[1]), want))
            block = []
    return problems


# --------------------------------------------------------------------------- processes

def make_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)
    except Exception:
        pass


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            return


def procs_mentioning(marker):
    found = []
    for n in os.listdir('/proc'):
        if not n.isdigit() or int(n) == os.getpid():
            continue
        try:
            with open('/proc/%s/environ' % n, 'rb') as f:
                env = f.read()
            with open('/proc/%s/stat' % n) as f:
                state = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in env and state not in ('Z', 'X'):
            found.append(int(n))
    return found


def zombies_of(ppid):
    out = []
    for n in os.listdir('/proc'):
        if not n.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % n) as f:
                rest = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if rest[0] == 'Z' and int(rest[1]) == ppid:
            out.append(int(n))
    return out


# --------------------------------------------------------------------------- replay

class Replay(object):
    def __init__(self, pm2, label, pairs, keep=False):
        self.pm2 = pm2
        self.label = label
        self.s = Subst(pairs)
        self.renamed = bool(pairs)
        self.tmp = tempfile.mkdtemp(prefix='pm2replay-')
        self.home = os.path.join(self.tmp, 'home')
        os.makedirs(self.home)
        self.homes = [os.path.join(self.home, '.pm2')]
        self.keep = keep
        self.results = []

    # -- running
    def env(self, extra=None, before_pwd=None):
        e = [('USER', 'root'), ('HOME', self.home), ('LOGNAME', 'root'), ('PATH', '/usr/local/bin:/usr/bin:/bin'),
             ('LANG', 'C.UTF-8'), ('SHELL', '/bin/bash')]
        e += list(before_pwd or [])
        e.append(('PWD', self.home))
        e += list(extra or [])
        return dict(e)

    def cmd(self, text):
        """Command text of the capture -> this pass (renames, /root -> temp home)."""
        return self.s(text).replace('/root', self.home)

    def run(self, argv, extra=None, before_pwd=None, timeout=60):
        argv = [self.cmd(a) for a in argv]
        p = subprocess.run([self.pm2] + argv, cwd=self.home, env=self.env(extra, before_pwd), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        reap()
        return p.stdout.decode('utf-8', 'surrogateescape'), p.stderr.decode('utf-8', 'surrogateescape'), p.returncode

    def setup(self, argv, **kw):
        out, err, rc = self.run(argv, **kw)
        return out, err, rc

    def jlist(self):
        out, _, rc = self.run(['jlist', '-s'])
        try:
            return json.loads(out[out.index('['):]) if rc == 0 else []
        except ValueError:
            return []

    def wait(self, pred, what, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            lst = self.jlist()
            if pred(lst):
                return lst
            time.sleep(0.1)
        raise RuntimeError('timeout waiting for %s' % what)

    def wait_status(self, name, statuses, timeout=20.0):
        name = self.s(name)
        return self.wait(lambda l: any(e['name'] == name for e in l) and
                         all(e['pm2_env']['status'] in statuses for e in l if e['name'] == name),
                         '%s in %s' % (name, statuses), timeout)

    # -- comparing
    def expected(self, case):
        base = os.path.join(FIXTURES, case)
        with open(base + '.stdout', encoding='utf-8') as f:
            out = f.read()
        with open(base + '.stderr', encoding='utf-8') as f:
            err = f.read()
        with open(base + '.rc') as f:
            rc = int(f.read().strip())
        out, err = self.s(out), self.s(err)
        if self.renamed and 'logs' in case:
            out, err = repad_log_prefixes(out), repad_log_prefixes(err)
        return out, err, rc

    def case(self, case, argv, **kw):
        out, err, rc = self.run(argv, **kw)
        eout, eerr, erc = self.expected(case)
        diffs = []
        for stream, exp, act in (('stdout', eout, out), ('stderr', eerr, err)):
            a, b = normalize(exp), normalize(act, self.home)
            if a != b:
                diffs.extend(difflib.unified_diff(a.split('\n'), b.split('\n'), 'expected/%s.%s' % (case, stream),
                                                  'actual/%s.%s' % (case, stream), lineterm=''))
            for prob in table_geometry_problems(act):
                diffs.append('%s: %s' % (stream, prob))
        if rc != erc:
            diffs.append('exit code: expected %d, got %d' % (erc, rc))
        self.report(case, diffs)

    def check(self, name, ok, detail=''):
        self.report(name, [] if ok else [detail or 'check failed'])

    def report(self, name, diffs):
        tag = name + ('' if not self.renamed else ' [renamed]')
        self.results.append((tag, not diffs))
        if diffs:
            print('FAIL %s' % tag)
            for d in diffs:
                print('    ' + d)
        else:
            print('ok %s' % tag)
        sys.stdout.flush()

    # -- the sequence of INDEX.md
    def sequence(self):
        s = self.s
        os.makedirs(os.path.join(self.home, 'work'))
        self.case('01_first_jlist', ['jlist'])
        self.case('02_jlist_empty', ['jlist'])
        self.case('03_ping', ['ping'])
        demo = ("cd /root/work && echo hello-out; echo hello-err >&2; sleep 3; echo done-out; exit 3")
        self.case('04_start', ['start', 'bash', '--name', 'cc-demo', '--no-autorestart', '--', '-lc', demo],
                  before_pwd=[(s('DEMO_TOKEN'), s('example-value'))])
        self.case('05_jlist_online', ['jlist'])
        self.wait_status('cc-demo', ('stopped',))
        self.case('06_jlist_exited', ['jlist'])
        self.case('07_logs', ['logs', 'cc-demo', '--nostream', '--lines', '20'])
        self.case('08_logs_raw', ['logs', 'cc-demo', '--nostream', '--lines', '20', '--raw'])
        self.case('09_describe', ['describe', 'cc-demo'])
        self.case('10_describe_unknown', ['describe', 'nope'])
        self.case('11_stop_unknown', ['stop', 'nope'])
        self.case('12_delete_unknown', ['delete', 'nope'])
        self.case('13_logs_unknown', ['logs', 'nope', '--nostream', '--lines', '5'])
        self.case('14_flush_unknown', ['flush', 'nope'])
        self.case('15_stop_stopped', ['stop', 'cc-demo'])
        self.case('16_start_dup', ['start', 'bash', '--name', 'cc-demo', '--no-autorestart', '--', '-lc',
                                   'echo second-run; sleep 1'])
        self.wait_status('cc-demo', ('stopped',))
        self.case('17_jlist_dup', ['jlist'])
        self.case('18_delete_dup', ['delete', 'cc-demo'])
        # 19 (setup): first run of cc-abs with an absolute program path
        self.setup(['start', '/usr/bin/bash', '--name', 'cc-abs', '--no-autorestart', '--', '-lc', 'echo first-abs'])
        self.wait_status('cc-abs', ('stopped',))
        self.case('20_abs_restart', ['start', '/usr/bin/bash', '--name', 'cc-abs', '--no-autorestart', '--', '-lc',
                                     'echo second-abs'], extra=[('FAKE_PM2_SETTLE_MS', '5000')])
        self.wait_status('cc-abs', ('stopped',))
        self.case('21_jl', ['jlist'])
        # 22 (setup): a fresh cc-abs running sleep 30 (25 shows a new uuid, no prev_restart_delay, pm_id 0)
        self.setup(['delete', 'cc-abs'])
        sleeper = ['start', '/usr/bin/bash', '--name', 'cc-abs', '--no-autorestart', '--', '-lc', 'sleep 30']
        self.setup(sleeper)
        self.case('23_abs_online_again', sleeper)
        self.case('24_stop_running', ['stop', 'cc-abs'])
        self.case('25_jl', ['jlist'])
        # 26-27 (setup): cc-k9 killed with SIGKILL, cc-crash crash-looping
        self.setup(['delete', 'cc-abs'])
        self.setup(['start', 'bash', '--name', 'cc-k9', '--no-autorestart', '--', '-lc', 'sleep 60'])
        k9 = [e for e in self.jlist() if e['name'] == s('cc-k9')][0]
        os.kill(k9['pid'], signal.SIGKILL)
        self.wait_status('cc-k9', ('stopped',))
        self.setup(['start', 'bash', '--name', 'cc-crash', '--', '-lc', 'echo run; exit 1'])
        self.wait_status('cc-crash', ('errored',))
        self.case('28_jl', ['jlist'])
        # 29-32: ecosystem file
        self.setup(['delete', 'all'])
        os.makedirs(os.path.join(self.home, 'runs', 'r1'))
        self.write_eco(foo='bar', extra='')
        self.case('29_eco_start', ['start', 'eco.json'], extra=[('FAKE_PM2_SETTLE_MS', '5000')])
        self.wait_status('cc-eco', ('stopped',))
        self.wait_status('cc-eco-strargs', ('stopped',))
        self.case('30_jl', ['jlist'])
        self.write_eco(foo='baz', extra='echo changed-args; ')
        self.case('31_eco_again', ['start', 'eco.json', '--only', 'cc-eco'])
        self.wait_status('cc-eco', ('stopped',))
        self.case('32_jl', ['jlist'])
        # 33-34 (setup): gen.sh prints a 200 029-character JSON line then a short one
        self.setup(['delete', 'all'])
        with open(os.path.join(self.home, 'work', 'gen.sh'), 'w') as f:
            f.write('#!/bin/bash\n'
                    'printf \'{"type":"big","data":"%s"}\\n\' "$(head -c 200005 /dev/zero | tr \'\\0\' x)"\n'
                    'echo \'{"type":"result","ok":true}\'\n')
        self.setup(['start', 'bash', '--name', 'cc-time', '--time', '--no-autorestart', '--', '/root/work/gen.sh'])
        self.setup(['start', 'bash', '--name', 'cc-notime', '--no-autorestart', '--', '/root/work/gen.sh'])
        self.wait_status('cc-time', ('stopped',))
        self.wait_status('cc-notime', ('stopped',))
        self.case('35_logs_long', ['logs', 'cc-notime', '--nostream', '--lines', '3', '--out', '--raw'])
        self.case('36_start_missing', ['start', '/nonexistent/thing', '--name', 'cc-x'])
        self.case('38_cwd_missing', ['start', 'bash', '--name', 'cc-cwd', '--cwd', '/nonexistent/dir', '--no-autorestart',
                                     '--', '-lc', 'echo hi'])
        self.case('39_jl', ['jlist'])
        self.setup(['stop', 'cc-cwd'])
        self.case('45_silent_jlist', ['jlist', '-s'])
        self.case('47_kill', ['kill'])
        self.case('48_jlist_after_kill', ['jlist'])
        fresh = os.path.join(self.tmp, 'fresh', '.pm2')
        self.homes.append(fresh)
        self.case('50_silent_first', ['jlist', '-s'], extra=[('PM2_HOME', fresh)])
        # 51-56 (setup): instances, -l/-o/-e, --merge-logs
        self.setup(['start', 'bash', '--name', 'cc-inst', '-i', '2', '--no-autorestart', '--', '-lc',
                    'echo inst $NODE_APP_INSTANCE'])
        self.setup(['start', 'bash', '--name', 'cc-lg', '--no-autorestart', '-l', '/root/runs/all.log', '-o',
                    '/root/runs/o.log', '-e', '/root/runs/e.log', '--', '-lc', 'echo to-out; echo to-err >&2'])
        self.setup(['start', 'bash', '--name', 'cc-merge', '-i', '2', '--merge-logs', '--no-autorestart', '--', '-lc',
                    'echo m'])
        self.wait(lambda l: len(l) == 5 and all(e['pm2_env']['status'] == 'stopped' for e in l), '5 stopped')
        self.case('57_outdated_jlist', ['jlist'], extra=[('FAKE_PM2_OUTDATED', '1')])
        self.setup(['delete', 'all'])
        self.case('60_delete_all_empty', ['delete', 'all'])
        self.case('62_logs_zero', ['logs', 'nope', '--nostream', '--lines', '0'])
        self.case('63_unknown_cmd', ['frobnicate'])
        self.case('64_start_unknown_opt', ['start', 'bash', '--name', 'cc-u', '--min-uptime', '5000', '--no-autorestart',
                                           '--', '-lc', 'echo hi'])
        # 65-90 (setup): a new daemon spawned by the start itself
        self.setup(['kill'])
        self.setup(['start', 'bash', '--name', 'cc-mr', '--max-restarts', '0', '--', '-lc', 'echo run; exit 1'])
        self.wait_status('cc-mr', ('errored',))
        self.case('91_jl', ['jlist'])

    def write_eco(self, foo, extra):
        home = self.home
        eco = {"apps": [
            {"name": self.s("cc-eco"), "script": "bash",
             "args": ["-lc", self.s("echo \"arg with 'quotes' and $HOME\"; echo FOO=$FOO; pwd; %sexit 0" % extra)],
             "cwd": home + "/work", "env": {"FOO": foo}, "autorestart": False, "max_restarts": 0, "min_uptime": "5s",
             "max_memory_restart": "200M", "out_file": home + "/runs/r1/out.log", "error_file": home + "/runs/r1/err.log"},
            {"name": self.s("cc-eco-strargs"), "script": "bash", "args": self.s("-lc 'echo one two'"), "autorestart": False}]}
        with open(os.path.join(home, 'eco.json'), 'w') as f:
            json.dump(eco, f, indent=2)

    # -- behaviour checks beyond the captures
    def checks(self):
        s = self.s
        self.setup(['delete', 'all'])
        t0 = time.time()
        _, _, rc = self.run(['start', 'bash', '--name', 'cc-slow', '--no-autorestart', '--', '-lc', 'sleep 30'])
        dt = time.time() - t0
        lst = self.jlist()
        slow = [e for e in lst if e['name'] == 'cc-slow']
        self.check('x1_start_does_not_block', rc == 0 and dt < 3.0 and slow and slow[0]['pm2_env']['status'] == 'online',
                   'rc=%s took %.2fs list=%s' % (rc, dt, [(e['name'], e['pm2_env']['status']) for e in lst]))
        self.setup(['delete', 'cc-slow'])
        # concurrent starts and lists: nothing lost, ids unique
        procs = []
        for i in range(6):
            procs.append(subprocess.Popen([self.pm2, 'start', 'bash', '--name', 'cc-par-%d' % i, '--no-autorestart', '--',
                                           '-lc', 'sleep 20'], cwd=self.home, env=self.env(), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            procs.append(subprocess.Popen([self.pm2, 'jlist'], cwd=self.home, env=self.env(), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        rcs = [p.wait(30) for p in procs]
        reap()
        lst = self.jlist()
        names = sorted(e['name'] for e in lst)
        ids = [e['pm_id'] for e in lst]
        self.check('x2_concurrent_starts_all_listed',
                   rcs == [0] * len(rcs) and names == ['cc-par-%d' % i for i in range(6)] and len(set(ids)) == 6 and
                   all(e['pm2_env']['status'] == 'online' and e.get('pid') for e in lst),
                   'rcs=%s names=%s ids=%s' % (rcs, names, ids))
        self.setup(['delete', 'all'])
        # logs appended across runs and entries; stdin stays open; caller env + bookkeeping reach the program
        prog = 'read -t 1 line; echo "read-status=$? token=$RJ_CHECK name=$name id=$pm_id"'
        for _ in range(2):
            self.setup(['start', 'bash', '--name', 'cc-app', '--no-autorestart', '--', '-lc', prog],
                       before_pwd=[('RJ_CHECK', 'check-value')])
            self.wait_status('cc-app', ('stopped',))
        with open(os.path.join(self.home, '.pm2', 'logs', 'cc-app-out.log')) as f:
            lines = f.read().splitlines()
        self.check('x3_logs_appended', len(lines) == 2, 'out log: %r' % lines)
        self.check('x4_stdin_never_eof_and_env',
                   bool(lines) and all(re.match(r'read-status=(1[3-9]\d|14\d) token=check-value name=cc-app id=[01]$', l)
                                       for l in lines), 'out log: %r' % lines)
        # kill: nothing left behind
        self.setup(['start', 'bash', '--name', 'cc-bg', '--no-autorestart', '--', '-lc', 'sleep 40 & sleep 40'])
        out, err, rc = self.run(['kill'])
        deadline = time.time() + 3
        while procs_mentioning(self.home) and time.time() < deadline:
            time.sleep(0.05)
            reap()
        reap()
        left = procs_mentioning(self.home)
        zombies = zombies_of(os.getpid())
        self.check('x5_kill_leaves_no_process_or_zombie', rc == 0 and not left and not zombies,
                   'rc=%s leftover=%s zombies=%s' % (rc, left, zombies))

    def cleanup(self):
        for h in self.homes:
            if os.path.isdir(h):
                try:
                    subprocess.run([self.pm2, 'kill'], cwd=self.home, env=self.env([('PM2_HOME', h)]),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=30)
                except Exception:
                    pass
        time.sleep(0.1)
        for pid in procs_mentioning(self.home):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.1)
        reap()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print('# kept %s' % self.tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--pm2', default=os.path.join(REPO, 'Tests', 'Support', 'fakes', 'pm2'))
    ap.add_argument('--pass', dest='which', choices=('plain', 'renamed', 'both'), default='both')
    ap.add_argument('--keep', action='store_true', help='keep the temporary directory')
    args = ap.parse_args()
    pm2 = os.path.abspath(args.pm2)
    make_subreaper()
    passes = []
    if args.which in ('plain', 'both'):
        passes.append(('plain', []))
    if args.which in ('renamed', 'both'):
        passes.append(('renamed', RENAMES))
    results = []
    t0 = time.time()
    for label, pairs in passes:
        print('# pass %s' % label)
        r = Replay(pm2, label, pairs, keep=args.keep)
        try:
            r.sequence()
            r.checks()
        except Exception as e:
            r.report('sequence-aborted', ['%s: %s' % (type(e).__name__, e)])
        finally:
            r.cleanup()
        results.extend(r.results)
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print('# %.1f s' % (time.time() - t0))
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(0 if failed == 0 and results else 1)


if __name__ == '__main__':
    main()
