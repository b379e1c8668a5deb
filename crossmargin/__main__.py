"""Command line: ``python -m crossmargin doctor`` checks this environment for the course.

Subcommands:

``doctor``
    one line per check (``OK`` or ``FIX`` with the command to run); exit
    status 1 when something needs fixing, 0 otherwise.
"""
import argparse
import sys


def _doctor(args):
    from .doctor import diagnose, report  # standard library only: works on broken setups

    findings = diagnose(prefix=args.prefix, course_root=args.course_root)
    print(report(findings))
    failed = sum(not f.ok for f in findings)
    print(f"\n{failed} problem{'s' if failed != 1 else ''} to fix." if failed
          else "\nEverything the course needs is in place.")
    return 1 if failed else 0


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
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
