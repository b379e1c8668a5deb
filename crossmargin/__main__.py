"""Command line: ``python -m crossmargin doctor`` checks this environment for the course,
``check`` also renders widgets in a headless browser (``make check``), ``reset`` restores a
lesson (``make reset``), ``data`` checks an instructor's data files.

Subcommands:

``doctor``
    one line per check (``OK`` or ``FIX`` with the command to run); exit
    status 1 when something needs fixing, 0 otherwise. Runs on the standard
    library alone: started with a Python that lacks numpy or pandas (not the
    course's environment) it says so and how to switch, instead of a traceback.
``check``
    the workshop pre-flight (``make check``): the doctor's rows, then a headless smoke test
    (:func:`crossmargin.course.headless.smoke_test`: JupyterLab with the course's settings
    on a free port, one ipywidget and one bqplot figure drawn in chromium), then ONE verdict
    line, ``READY: ...`` (exit status 0) or ``NOT READY: N problems ...`` (exit status 1;
    :func:`crossmargin.doctor.verdict`). A missing chromium or playwright is a FIX row with
    the command that installs it.
``reset [LESSON ...] [--yes] [--rev REV] [--from DIR]``
    restores lessons as shipped (:mod:`crossmargin.course.reset`), keeping each learner
    version beside it as ``NN-name.mine-YYYYMMDD-HHMMSS.ipynb``; without a LESSON every
    lesson, after a confirmation (``--yes`` skips it).
``data``
    prints ``CROSSMARGIN_DATA_PATH``, the folders searched for each kind of file (see
    :mod:`crossmargin.datafiles`) and the names found, after loading every scenario file,
    example portfolio and bracket table. Stops at the first problem with its message (the
    file, the line or field, the value and what was expected) and exit status 1.
"""
import argparse
import os
import sys


def _doctor(args):
    from .doctor import RERUN_HINT, diagnose, engine_finding, report  # standard library only

    engine = engine_finding(args.course_root)
    if not engine.ok and args.prefix is None:
        # Not the course's Python: the other rows would describe the wrong environment.
        print(report([engine]))
        print("\n1 problem to fix: run the doctor again in the course's environment "
              "for the other checks.")
        return 1
    findings = [engine] + diagnose(prefix=args.prefix, course_root=args.course_root)
    print(report(findings))
    failed = sum(not f.ok for f in findings)
    print(f"\n{failed} problem{'s' if failed != 1 else ''} to fix." if failed
          else "\nEverything the course needs is in place.")
    print(RERUN_HINT)
    return 1 if failed else 0


def _check(args):
    from .doctor import course_folder, diagnose, engine_finding, report, verdict

    engine = engine_finding(args.course_root)
    findings = [engine]
    if engine.ok:      # else not the course's Python: nothing else here describes the course
        from .course.headless import smoke_test
        findings += diagnose(course_root=args.course_root)
        print(report(findings), flush=True)
        print("... headless smoke test: JupyterLab and chromium (up to a minute)", flush=True)
        smoke = smoke_test(course_root=course_folder(args.course_root))
        print(report(smoke))
        findings += smoke
    else:
        print(report(findings))
    line, status = verdict(findings)
    print(line)
    return status


def _reset(args):
    from .course.reset import apply, plan
    from .errors import InvalidInput

    try:
        steps = plan(args.lessons, args.notebooks, rev=args.rev, source=args.source)
    except InvalidInput as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    changed = [s for s in steps if s.changed]
    for step in steps:
        if not step.changed:
            print(f"{step.notebook.name}: already as shipped, left alone")
    if not changed:
        return 0
    if not args.lessons and not args.yes:
        names = ", ".join(s.notebook.name[:2] for s in changed)
        question = (f"Reset {len(changed)} lesson{'s' if len(changed) != 1 else ''} ({names}) "
                    f"from {changed[0].source}? Your versions are kept beside them. [y/N] ")
        if not sys.stdin.isatty():
            print(f"error: resetting every lesson asks first: run it in a terminal, or add "
                  f"--yes (make reset RESET_ARGS=--yes); or name one lesson, e.g. "
                  f"make reset LESSON={changed[0].notebook.name[:2]}", file=sys.stderr)
            return 2
        try:
            answer = input(question)
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.")
            return 1
    for step in apply(changed):
        kept = (f"your version is kept as {_shown(step.kept)}" if step.kept
                else "it was missing, so there was nothing to keep")
        print(f"{step.notebook.name}: restored from {step.source}; {kept}")
    print("If a lesson is open in JupyterLab, close its tab without saving (or choose Revert "
          "when JupyterLab says the file changed on disk): saving the open tab would put your "
          "old version back.")
    return 0


def _shown(path):
    """``path`` relative to the current folder when it is below it."""
    try:
        return str(path.resolve().relative_to(os.getcwd()))
    except ValueError:
        return str(path)


def _data(args):
    from . import datafiles, scenarios
    from .lessons import examples  # imported here: the doctor needs none of it
    from .engine.brackets import Brackets, available_tables
    from .errors import CrossMarginError

    try:
        print(f"{datafiles.ENV} = {os.environ.get(datafiles.ENV, '')!r}")
        for kind in datafiles.KINDS:
            print(f"{kind} folders: {', '.join(map(str, datafiles.folders(kind)))}")
        print("scenarios:", ", ".join(scenarios.list_scenarios()["name"]))
        print("portfolios:", ", ".join(examples.list_portfolios()["name"]))
        tables = available_tables()
        for name in tables:
            Brackets.load(name)
        print("bracket tables:", ", ".join(tables))
    except CrossMarginError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("Every data file loads.")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m crossmargin",
        description="Cross Margin, Step by Step: command-line helpers.")
    commands = parser.add_subparsers(dest="command", metavar="command")
    doctor = commands.add_parser(
        "doctor", help="check that widgets can work here and print the fix for each problem",
        description="Check the Python packages, the JupyterLab front-end extensions and the "
                    "kernel's environment; print the exact command that fixes each problem. "
                    "Exit status 1 when something needs fixing.")
    doctor.add_argument("--prefix", default=None,
                        help="environment to inspect (default: this interpreter's, sys.prefix)")
    doctor.add_argument("--course-root", default=None,
                        help="the course folder (default: where crossmargin is imported from)")
    doctor.set_defaults(run=_doctor)
    check = commands.add_parser(
        "check", help="workshop pre-flight: the doctor, then a widget and a bqplot figure "
                      "drawn in a headless JupyterLab; one verdict line",
        description="The doctor's checks, then a headless smoke test: JupyterLab with the "
                    "course's settings on a free port, a notebook with one ipywidget and one "
                    "bqplot figure run in chromium (Playwright). Ends with one line, READY or "
                    "NOT READY; exit status 1 when not ready.")
    check.add_argument("--course-root", default=None,
                       help="the course folder (default: where crossmargin is imported from)")
    check.set_defaults(run=_check)
    reset = commands.add_parser(
        "reset", help="restore lessons as shipped, keeping your version beside each",
        description="Restore lesson notebooks as the course ships them: from git (HEAD, or "
                    "--rev), or from --from, a folder of fresh notebooks (a zip download has no "
                    "git). Your version is first copied beside each one as "
                    "NN-name.mine-YYYYMMDD-HHMMSS.ipynb; a lesson already as shipped is left "
                    "alone.")
    reset.add_argument("lessons", nargs="*", metavar="LESSON",
                       help="lesson numbers or notebook names, e.g. 07 (default: every lesson, "
                            "after a confirmation)")
    reset.add_argument("--yes", "-y", action="store_true",
                       help="reset every lesson without asking")
    reset.add_argument("--rev", default="HEAD",
                       help="the git revision the lessons are restored from (default HEAD; on "
                            "a JupyterHub with nbgitpuller, origin/main)")
    reset.add_argument("--from", dest="source", default=None, metavar="DIR",
                       help="restore from this folder of notebooks (e.g. the notebooks/ of a "
                            "fresh download) instead of git")
    reset.add_argument("--notebooks", default=None,
                       help="the lessons folder (default: the checkout's notebooks/)")
    reset.set_defaults(run=_reset)
    data = commands.add_parser(
        "data", help="load every scenario, portfolio and bracket file and report the first problem",
        description="Print the folders searched (crossmargin/data, then each "
                    "CROSSMARGIN_DATA_PATH entry) and load every data file found. Exit status 1 "
                    "at the first problem, with the file and field it is in.")
    data.set_defaults(run=_data)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command not in ("doctor", "check"):     # these two say it themselves
        from .doctor import wrong_environment
        problem = wrong_environment()
        if problem:  # numpy or pandas missing: crossmargin/__init__ let us get this far
            print(f"error: {problem}", file=sys.stderr)
            return 1
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
