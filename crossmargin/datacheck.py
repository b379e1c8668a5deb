"""Check an instructor's data files: ``python -m crossmargin.datacheck``.

Prints the value of ``CROSSMARGIN_DATA_PATH``, the folders searched for each kind of file (see
:mod:`crossmargin.datafiles`) and the names found, after loading every scenario file, example
portfolio and bracket table. Stops at the first problem with its message (which names the file,
the line or field, the value and what was expected) and exit status 1; 0 when all load.
"""
import os
import sys

from . import datafiles, examples, scenarios
from .brackets import Brackets, available_tables
from .errors import CrossMarginError


def main():
    """Print what is found and load it all; return the exit status."""
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


if __name__ == "__main__":
    sys.exit(main())
