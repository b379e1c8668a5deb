"""Command line: ``python -m crossmargin doctor`` checks this environment for the course,
``check`` also renders widgets in a headless browser (``make check``), ``data`` checks an
instructor's data files.

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
