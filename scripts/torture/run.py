#!/usr/bin/env python3
"""GCC execution torture suite through coroc, every outcome classified.

Input: GCC 12's gcc.c-torture/execute (Debian gcc-12-source), extracted once into a
cache dir outside the repo ($XDG_CACHE_HOME/coroc-torture, else ~/.cache/coroc-torture).
For each program: build and run it plain (gcc -std=gnu17 -O2 -w); a program whose plain
build fails or does not exit 0 is "not-runnable".  Otherwise every function definition
in the file gets CORO (found from clang's JSON AST, so macros and K&R are located by the
compiler, not by a regex), the user's main is renamed and a generated main returns
coro_main(user_main(...)) (the CsmithTests transformation), the result is translated in
each mode, compiled with cc -std=gnu17 -Wall -O2 against Runtime/, run on each worker
count and compared (exit status and stdout) with the plain run.

A program whose plain run prints something different each time (addresses) is
compared by exit status only.

Outcomes: pass, rejected (coroc exit 1 with file:line:col: error), uncompilable (coroc
accepted, cc failed), wrong (exit/stdout differ), crash (signal), timeout,
translator-crash (any other coroc exit), optimizer-link (the link misses only functions
the program never defines, whose calls the plain -O2 build removed: GCC's link_error
idiom), not-runnable, harness (the program could not be coroutinized, e.g. main
returns void).

With --expect FILE the run fails only on regressions against the recorded outcomes (a
program recorded pass or rejected that becomes anything worse); improvements are printed;
--update-expectations rewrites the file.
"""
import argparse, collections, concurrent.futures, json, os, re, signal, subprocess, sys, tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARBALL = "/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz"
MEMBER = "gcc-12.2.0/gcc/testsuite/gcc.c-torture/execute"
TIMEOUT = 10
GOOD = ("pass", "rejected")   # outcomes a regression is measured from


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "coroc-torture")


def suite_dir():
    root = cache_dir()
    d = os.path.join(root, MEMBER)
    if not os.path.exists(os.path.join(root, ".extracted")):
        if not os.path.exists(TARBALL):
            sys.exit("torture: %s missing (apt-get install gcc-12-source; scripts/setup.sh test)" % TARBALL)
        os.makedirs(root, exist_ok=True)
        subprocess.run(["tar", "-xJf", TARBALL, "-C", root, "--wildcards", MEMBER + "/*"], check=True)
        open(os.path.join(root, ".extracted"), "w").close()
    return d


def run(argv, timeout=TIMEOUT, env=None, cwd=None):
    """(status, stdout bytes, stderr bytes); status 'timeout' or -signal or exit code.
    The child gets its own process group, killed whole on timeout."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return "timeout", out, err


def walk_locs(node, state, hook):
    """Visit nodes in document order, tracking clang's 'file' (printed only on change)."""
    if isinstance(node, dict):
        if "offset" in node and ("line" in node or "col" in node or "file" in node):
            if "file" in node:
                state["file"] = node["file"]
        for k, v in node.items():
            if k == "inner" and hook is not None and node.get("kind") == "TranslationUnitDecl":
                for child in v:
                    hook(child, state)
                    walk_locs(child, state, None)
            else:
                walk_locs(v, state, None if k != "inner" else hook)
    elif isinstance(node, list):
        for v in node:
            walk_locs(v, state, hook)


def begin_file_offset(decl, state):
    """File and byte offset of a top-level decl's start, or None if it starts in a macro."""
    st = dict(state)
    b = decl.get("range", {}).get("begin", {})
    if "spellingLoc" in b or "expansionLoc" in b:
        return None
    # clang prints "file" only when it differs from the last location printed,
    # and it prints "loc" before "range": the begin's file is the one in force
    # after loc (a file's first declaration names its file in loc only).
    walk_locs(decl.get("loc", {}), st, None)
    loc_file = st.get("file")
    walk_locs(b, st, None)
    return st.get("file"), b.get("offset"), loc_file, decl.get("loc", {})


def coroutinize(path, clang, include_dirs=()):
    """Source bytes with CORO on every definition and main run by coro_main, or (None, why)."""
    src = open(path, "rb").read()
    # -O2 as the builds: `#ifndef __OPTIMIZE__` regions (pure-1's link_error
    # definitions) are then not marked CORO when the compile skips them.
    st, out, err = run([clang, "-fsyntax-only", "-O2", "-w", "-std=gnu17", "-Wno-error=implicit-int",
                         "-Wno-error=implicit-function-declaration", "-Wno-error=int-conversion",
                         "-Wno-error=incompatible-pointer-types", "-Wno-error=return-type", "-Wno-parentheses", "-Xclang", "-ast-dump=json"]
                        + [a for d in include_dirs for a in ("-I", d)] + [path], timeout=60)
    if st != 0:
        return None, "clang ast dump failed"
    ast = json.loads(out)
    edits = []   # (offset, delete_len, insert bytes)
    mains = []
    state = {"file": None}

    def hook(decl, state):
        if decl.get("kind") != "FunctionDecl":
            return
        if not any(c.get("kind") == "CompoundStmt" for c in decl.get("inner", [])):
            return
        info = begin_file_offset(decl, state)
        if info is None:
            return
        f, off, _, loc = info
        if f != path or off is None or decl.get("isImplicit"):
            return
        edits.append((off, 0, b"CORO "))
        if decl.get("name") == "main":
            if "spellingLoc" in loc or "offset" not in loc:
                mains.append(None)
                return
            mains.append(decl)
            edits.append((loc["offset"], 4, b"torture_user_main"))
            # Reaching main's closing brace returns 0 (C11 5.1.2.2.3); the renamed
            # function would return an indeterminate value instead, so say it.
            body = [c for c in decl.get("inner", []) if c.get("kind") == "CompoundStmt"][-1]
            end = body.get("range", {}).get("end", {})
            if "offset" in end and "spellingLoc" not in end and "expansionLoc" not in end:
                edits.append((end["offset"], 0, b"return 0; "))
                # The rename is the harness's, not the program's: main's own
                # name stays "main" (20001011-1 compares __FUNCTION__ with it).
                names = (b"__func__", b"__FUNCTION__", b"__PRETTY_FUNCTION__")
                if any(re.search(rb"\b" + n + rb"\b", src[off:end["offset"]]) for n in names):
                    edits.append((off, 0, b"\n" + b"".join(b'#define %s "main"\n' % n for n in names)))
                    edits.append((end["offset"] + 1, 0, b"\n" + b"".join(b"#undef %s\n" % n for n in names)))

    walk_locs(ast, state, hook)
    if len(mains) != 1 or mains[0] is None:
        return None, "main not found as a plain definition"
    m = mains[0]
    ret = m.get("type", {}).get("qualType", "")
    if not ret.startswith("int"):
        return None, "main does not return int"
    nparams = sum(1 for c in m.get("inner", []) if c.get("kind") == "ParmVarDecl")
    args = {0: "", 1: "argc", 2: "argc, argv", 3: "argc, argv, envp"}.get(nparams)
    if args is None:
        return None, "main has %d parameters" % nparams
    for off, dl, ins in sorted(edits, reverse=True):
        if dl and src[off:off + dl] != b"main" or ins == b"return 0; " and src[off:off + 1] != b"}":
            return None, "edit offset mismatch"
        src = src[:off] + ins + src[off + dl:]
    tail = ("\nint main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp;"
            " return coro_main(torture_user_main(%s)); }\n" % args)
    return b"#include <coro.h>\n" + src + tail.encode(), None


def inline_c_includes(path, suite, stack=()):
    """The program's bytes with each `#include "X.c"` of a suite file replaced by
    that file's text (recursively).  A file that includes itself (vprintf-1.c,
    guarded by `#ifndef test`) keeps that line: pasting ignores the guard."""
    out = []
    stack = stack + (os.path.basename(path),)
    for line in open(path, "rb").read().splitlines(keepends=True):
        m = re.match(rb'\s*#\s*include\s+"([^"/]+\.c)"', line)
        inc = m and os.path.join(suite, m.group(1).decode())
        if inc and m.group(1).decode() in stack and os.path.isfile(inc):
            # Itself again: the suite's copy, not the coroutinized one beside it
            # (a quoted include looks in the includer's directory first).
            out.append(b'#include "' + inc.encode() + b'"\n')
        elif inc and len(stack) < 4 and os.path.isfile(inc):
            body = inline_c_includes(inc, suite, stack)
            out.append(body if body.endswith(b"\n") else body + b"\n")
        else:
            out.append(line)
    return b"".join(out)


def stack_kb(text):
    """The stack the program declares it needs (`{ dg-require-stack-size "EXPR" }`, as
    GCC's harness reads it) in KiB plus 64 for the runtime, or None: a stackful
    coroutine's stack is CORO_STACK_KB (512 KiB by default), and main runs in one."""
    m = re.search(rb'dg-require-stack-size\s+"([0-9xXa-fA-F +*()-]+)"', text)
    if not m:
        return None
    try:
        need = eval(m.group(1).decode(), {"__builtins__": {}})
    except Exception:
        return None
    return (int(need) + 1023) // 1024 + 64


def gnu89_inline(text):
    """["-fgnu89-inline"] when the program's dg-options ask for it (loop-2c: its
    `__inline__ void f` has no external definition under C99 rules, so only
    inlining everywhere links it), else []. GCC's harness passes dg-options."""
    m = re.search(rb"dg-options\s+\"([^\"]*)\"", text)
    return ["-fgnu89-inline"] if m and b"-fgnu89-inline" in m.group(1) else []


def defined_symbols(exe):
    """Names the executable defines (nm), for telling a call the optimizer removed
    from one the translator lost."""
    st, out, _ = run(["nm", exe])
    if st != 0:
        return set()
    return {l.split()[-1] for l in out.decode("utf-8", "replace").splitlines() if len(l.split()) == 3}


def first_error(text):
    for line in text.splitlines():
        if ": error:" in line or "undefined reference" in line or ": fatal error:" in line:
            return line.strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[0].strip() if lines else ""


def category(reason):
    """Rejection reason with names, numbers and quoted text removed (for grouping)."""
    r = re.sub(r"^.*?: error: ", "", reason)
    r = re.sub(r"['‘`\"][^'’`\"]*['’`\"]", "'…'", r)
    r = re.sub(r"\b\d+\b", "N", r)
    return r.strip()[:110]


def one(name, suite, args, libcoro):
    src = os.path.join(suite, name)
    results = {}
    with tempfile.TemporaryDirectory(prefix="coroc-torture-") as tmp:
        plain = os.path.join(tmp, "plain")
        extra = gnu89_inline(open(src, "rb").read())
        st, _, _ = run(["nice", "gcc", "-std=gnu17", "-O2", "-w"] + extra + [src, "-o", plain, "-lm"], timeout=120)
        if st != 0:
            return name, {"*": {"outcome": "not-runnable", "detail": "plain build fails"}}
        pst, pout, _ = run([plain], cwd=tmp)
        if pst != 0:
            return name, {"*": {"outcome": "not-runnable", "detail": "plain run status %s" % pst}}
        # A program that prints addresses (return-addr's %p of locals) prints
        # something else at every run (ASLR): then only the exit status compares.
        if pout and run([plain], cwd=tmp)[1] != pout:
            pout = None
        # A program made of another (`#include "20040629-1.c"` plus a #define) has
        # its functions in the included file; coroc translates the main file
        # only, so the included .c files are pasted in first.
        cin = os.path.join(tmp, os.path.basename(name))
        with open(cin, "wb") as f:
            f.write(inline_c_includes(src, suite))
        text, why = coroutinize(cin, args.clang, [suite])   # its headers (gcc_tmpnam.h) beside the original
        if text is None and why == "clang ast dump failed":
            # clang cannot parse it (GCC's nested functions, unknown builtins):
            # neither can coroc, which reports clang's error.  That is coroc's
            # answer to the program, so classify it like any translation.
            for mode in args.modes:
                st, _, err = run(["nice", args.coroc, "translate", cin, "-o", os.path.join(tmp, "x.c"),
                                  "--mode", mode, "-I", os.path.join(REPO, "Runtime", "include"), "-I", suite,
                                  "-D", "__OPTIMIZE__=1"], timeout=120)
                errt = err.decode("utf-8", "replace")
                if st == 1 and re.search(r":\d+:\d+: error: ", errt):
                    r = {"outcome": "rejected", "detail": first_error(errt)}
                else:
                    r = {"outcome": "harness", "detail": "clang cannot parse it; coroc exited %s" % st}
                for t in args.threads:
                    results["%s/%d" % (mode, t)] = r
            return name, results
        if text is None:
            return name, {"*": {"outcome": "harness", "detail": why}}
        with open(cin, "wb") as f:
            f.write(text)
        for mode in args.modes:
            cout = os.path.join(tmp, "out-%s.c" % mode)
            st, out, err = run(["nice", args.coroc, "translate", cin, "-o", cout, "--mode", mode,
                                "-I", os.path.join(REPO, "Runtime", "include"), "-I", suite,
                                # Parsed as compiled (-O2): the same #ifdef __OPTIMIZE__ branches.
                                "-D", "__OPTIMIZE__=1"], timeout=120)
            errt = err.decode("utf-8", "replace")
            if st != 0:
                if st == 1 and re.search(r":\d+:\d+: error: ", errt):
                    r = {"outcome": "rejected", "detail": first_error(errt)}
                else:
                    r = {"outcome": "translator-crash", "detail": "status %s: %s" % (st, first_error(errt))}
                for t in args.threads:
                    results["%s/%d" % (mode, t)] = r
                continue
            exe = os.path.join(tmp, "exe-%s" % mode)
            # The suite's own headers (gcc_tmpnam.h), found beside the source in the plain build.
            st, out, err = run(["nice", "cc", "-std=gnu17", "-Wall", "-O2"] + extra + ["-I",
                                os.path.join(REPO, "Runtime", "include"), "-I", suite, cout, "-o", exe, libcoro,
                                "-lpthread", "-lm"], timeout=120)
            if st != 0:
                r = {"outcome": "uncompilable", "detail": first_error(err.decode("utf-8", "replace"))}
                missing = set(re.findall(r"undefined reference to `([A-Za-z_]\w*)'", err.decode("utf-8", "replace")))
                if missing and missing.isdisjoint(defined_symbols(plain)) and not re.search(r":\d+:\d+: error:", err.decode("utf-8", "replace")):
                    # GCC's link_error idiom (pure-1): a function the program never
                    # defines, whose calls the plain -O2 build proves dead.  The
                    # translated program computes the same, but the proof (here:
                    # a frame array unchanged across an await) is beyond cc.
                    r = {"outcome": "optimizer-link", "detail": "calls %s, defined nowhere; the plain build "
                         "links only because -O2 removes them" % ", ".join(sorted(missing))}
                for t in args.threads:
                    results["%s/%d" % (mode, t)] = r
                continue
            for t in args.threads:
                env = dict(os.environ, CORO_THREADS=str(t))
                if mode == "stackful" and stack_kb(text):
                    env["CORO_STACK_KB"] = str(stack_kb(text))
                st, out, err = run([exe], env=env, cwd=tmp)
                if st == "timeout":
                    r = {"outcome": "timeout", "detail": "> %d s" % TIMEOUT}
                elif st < 0:
                    r = {"outcome": "crash", "detail": "signal %d: %s" % (-st, first_error(err.decode("utf-8", "replace")))}
                elif st != pst or (pout is not None and out != pout):
                    r = {"outcome": "wrong", "detail": "status %s (plain %s)%s: %s" % (
                        st, pst, "" if out == pout else ", stdout differs", first_error(err.decode("utf-8", "replace")))}
                else:
                    r = {"outcome": "pass", "detail": ""}
                results["%s/%d" % (mode, t)] = r
    return name, results


def programs(suite):
    return sorted(f for f in os.listdir(suite) if f.endswith(".c") and os.path.isfile(os.path.join(suite, f)))


def outcome(res, key):
    return res.get(key, res.get("*", {})).get("outcome", "missing")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--coroc", default=os.path.join(REPO, ".build", "debug", "coroc"))
    ap.add_argument("--clang", default=next((c for c in ("/opt/swift/usr/bin/clang", "/usr/bin/clang-14")
                                             if os.path.exists(c)), "clang"), help="clang for the JSON AST that locates definitions")
    ap.add_argument("--modes", default="stackless,stackful")
    ap.add_argument("--threads", default="1")
    ap.add_argument("--sample", help="file of program names (one a line) or a number N (every k-th)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="write every result here")
    ap.add_argument("--expect", help="expectations file: fail only on regressions against it")
    ap.add_argument("--update-expectations", action="store_true")
    args = ap.parse_args()
    args.modes = args.modes.split(",")
    args.threads = [int(t) for t in args.threads.split(",")]
    args.jobs = max(1, min(args.jobs, 2))
    libcoro = os.path.join(REPO, "Runtime", "build", "libcoro.a")
    if not os.path.exists(libcoro):
        subprocess.run(["make", "-s", "-C", os.path.join(REPO, "Runtime"), "build/libcoro.a"], check=True)
    suite = suite_dir()
    names = programs(suite)
    if args.sample:
        if args.sample.isdigit():
            k = max(1, len(names) // int(args.sample))
            names = names[::k][:int(args.sample)]
        else:
            want = [l.strip() for l in open(args.sample) if l.strip() and not l.startswith("#")]
            names = want
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for n, (name, res) in enumerate(ex.map(lambda p: one(p, suite, args, libcoro), names), 1):
            results[name] = res
            if sys.stderr.isatty():
                print("\r%d/%d" % (n, len(names)), end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    keys = ["%s/%d" % (m, t) for m in args.modes for t in args.threads]
    kinds = ["pass", "rejected", "uncompilable", "wrong", "crash", "timeout", "translator-crash",
             "optimizer-link", "not-runnable", "harness"]
    print("%-14s" % "outcome" + "".join("%15s" % k for k in keys))
    for kind in kinds:
        print("%-14s" % kind + "".join("%15d" % sum(1 for r in results.values() if outcome(r, k) == kind) for k in keys))
    for mode in args.modes:
        k = "%s/%d" % (mode, args.threads[0])
        cats = collections.Counter(category(r[k]["detail"]) for r in results.values()
                                   if k in r and r[k]["outcome"] == "rejected")
        print("\nrejections, %s (top 15):" % mode)
        for c, n in cats.most_common(15):
            print("%5d  %s" % (n, c))
        print("\nuncompilable/wrong/crash/timeout/translator-crash, %s:" % mode)
        for name in sorted(results):
            for kk in keys:
                if kk.startswith(mode + "/") and kk in results[name] and results[name][kk]["outcome"] not in GOOD:
                    print("  %-24s %-8s %-16s %s" % (name, kk.split("/")[1] + "w", results[name][kk]["outcome"],
                                                     results[name][kk]["detail"][:160]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    status = 0
    if args.expect:
        old = json.load(open(args.expect)) if os.path.exists(args.expect) else {}
        new = {name: {k: outcome(results[name], k) for k in keys} for name in sorted(results)}
        for name in sorted(new):
            for k in keys:
                was, now = old.get(name, {}).get(k), new[name][k]
                if was is None or was == now:
                    continue
                if was in GOOD and now not in GOOD or (was == "pass" and now == "rejected"):
                    print("REGRESSION %s %s: %s -> %s (%s)" % (name, k, was, now,
                          results[name].get(k, results[name].get("*", {})).get("detail", "")))
                    status = 1
                else:
                    print("changed %s %s: %s -> %s (update with --update-expectations)" % (name, k, was, now))
        if args.update_expectations:
            with open(args.expect, "w") as f:
                json.dump(new, f, indent=1, sort_keys=True)
                f.write("\n")
    sys.exit(status)


if __name__ == "__main__":
    main()
