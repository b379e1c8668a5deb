# Cross Margin, Step by Step — one-command set-up.
#   make lab    create .venv if needed, install, open the course in JupyterLab
#   make test   create .venv if needed, install, run every test (unit, property, notebooks)
# Variables: PYTHON (interpreter that creates the venv), VENV, LOCK (pip constraints file;
# `LOCK=` installs from the ranges in pyproject.toml), LAB_ARGS (extra `jupyter lab` options,
# e.g. `make lab LAB_ARGS="--no-browser --port 8890"`), APP_PORT and APP_ARGS (`make app`: the
# Voila port and extra `voila` options, e.g. `make app APP_ARGS=--no-browser`), PYTEST_ARGS,
# WORKERS (parallel test workers, 2 by default; `make test WORKERS=0` runs them one by one),
# LESSON and RESET_ARGS (`make reset LESSON=07`, `make reset RESET_ARGS=--yes`).

PYTHON ?= python3
VENV ?= .venv
LOCK ?= requirements-lock.txt
LAB_ARGS ?=
APP_PORT ?= 8866
APP_ARGS ?=
PYTEST_ARGS ?=
SITE_ARGS ?=
# Test workers (pytest-xdist): one per core of a 2-core machine. Each test file stays on one
# worker (--dist loadfile), so a notebook's cells run in order in one kernel. WORKERS=0: serial.
WORKERS ?= 2

BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check
# JupyterLab refuses to start as root without --allow-root (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# nbval runs the notebooks in this folder when it exists.
NOTEBOOK_DIR := $(wildcard notebooks)

.PHONY: help lab app test site bench screenshots install lock clean distclean check reset
.DEFAULT_GOAL := help

help:
	@echo "make lab        open the course in JupyterLab (creates $(VENV) and installs on first run)"
	@echo "make app        the main explorers as one app for a projector (Voila, http://127.0.0.1:$(APP_PORT))"
	@echo "make test       run every test: course lint, pytest tests + nbval over notebooks/"
	@echo "make site       build the course website in build/site/ (Sphinx + myst-nb, every lesson executed)"
	@echo "make check      workshop pre-flight: versions, front-ends, a widget and a plot drawn headless; READY or not"
	@echo "make reset      restore lessons as shipped, keeping yours beside them (LESSON=07: one; else all, after a question)"
	@echo "make bench      run the benchmarks (engine, Monte Carlo, widgets, key press -> redraw in chromium)"
	@echo "make screenshots  refresh images/screenshots/ from the browser tests (needs chromium)"
	@echo "make install    only create/update $(VENV)"
	@echo "make lock       regenerate $(LOCK) from a clean venv with the newest allowed versions"
	@echo "make clean      remove caches and test/benchmark outputs (keeps $(VENV))"
	@echo "make distclean  clean, and remove $(VENV)"

# ---------------------------------------------------------------- environment

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed; $(PYTHON) is " + sys.version.split()[0] + ". Try: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the requirements change. The install is editable: edits to crossmargin/
# are picked up without reinstalling.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	@if [ -n "$(LOCK)" ] && $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
		echo "$(PIP) install -c $(LOCK) -e '.[test]'"; \
		$(PIP) install -c $(LOCK) -e '.[test]'; \
	else \
		echo "note: installing from the ranges in pyproject.toml, without a lock (requirements-lock.txt needs Python >= 3.11)"; \
		$(PIP) install -e '.[test]'; \
	fi
	@touch $@

install: $(STAMP)

# ---------------------------------------------------------------- the two commands

# The server's root is the repository (so lessons can show ../images/), opened on notebooks/.
# JupyterLab settings for the course (crossmargin/data/jupyter-config/README.md): no news or
# update pop-ups, and notebooks keep every cell in the page (windowingMode "none": in "full" mode
# JupyterLab 4.4-4.6 can drop widget outputs after scrolling). The folder goes first on JUPYTER_CONFIG_PATH,
# where JupyterLab reads labconfig/default_setting_overrides.json as *defaults*: the learner's own
# settings (~/.jupyter/lab/user-settings) still win, and nothing of theirs is written or replaced.
# Not --LabApp.user_settings_dir: that would hide the learner's own settings from this lab and save
# their changes into the course folder. Not an overrides.json copied into .venv: it would go stale.
LAB_CONFIG := $(CURDIR)/crossmargin/data/jupyter-config
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	$(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks $(LAB_ARGS)

# The explorers without code, for a projector: Voila on this machine only (127.0.0.1).
app: $(STAMP)
	$(BIN)/voila notebooks/app.ipynb --Voila.ip=127.0.0.1 --port=$(APP_PORT) --show_tracebacks=True $(APP_ARGS)

# The site step builds build/site-subset/: every page, lessons 01 and 07 executed (the whole
# course takes minutes: make site); tests/test_site_*.py and tests/browser/test_site.py read it.
test: $(STAMP)
	$(BIN)/python -m crossmargin.course lint notebooks
	$(BIN)/python -m crossmargin.course sync --check README.md notebooks/instructor-guide.md
	$(BIN)/python site/build.py --subset
	$(BIN)/python -m pytest tests --doctest-modules crossmargin $(if $(NOTEBOOK_DIR),--nbval-lax --nbval-current-env --ignore-glob='*.mine-*.ipynb' $(NOTEBOOK_DIR)) $(if $(filter-out 0,$(WORKERS)),-n $(WORKERS) --dist loadfile) $(PYTEST_ARGS)

# The course website (site/build.py): Sphinx + myst-nb, every lesson executed once and cached
# by jupyter-cache (build/site-cache/), the widget JavaScript served from the site itself
# (npm's pinned html-manager and require.js; bqplot's from .venv). A warning fails the build.
# SITE_ARGS: e.g. --jupyterhub https://hub.example.org for the lessons' nbgitpuller links.
site: $(STAMP)
	$(BIN)/python site/build.py $(SITE_ARGS)

# Workshop pre-flight: the doctor's checks, then JupyterLab with the course's settings on a free port
# renders one ipywidget and one bqplot figure in headless chromium; the last line is the verdict,
# READY or NOT READY (exit status 1). See crossmargin/__main__.py.
check: $(STAMP)
	@$(BIN)/python -m crossmargin check

# Restore lessons as the course ships them (git HEAD; a zip download has no git: see
# crossmargin/course/reset.py); each learner version is kept beside it as
# NN-name.mine-YYYYMMDD-HHMMSS.ipynb. LESSON=07 resets one lesson; without it every lesson,
# after a question (RESET_ARGS=--yes skips it; RESET_ARGS="--from DIR" restores from a download).
LESSON ?=
RESET_ARGS ?=
reset: $(STAMP)
	@$(BIN)/python -m crossmargin reset --notebooks notebooks $(LESSON) $(RESET_ARGS)

# The browser tests save the widgets the README shows; this copies them into images/.
screenshots: $(STAMP)
	rm -rf tests/output/screenshots
	$(BIN)/python -m pytest tests/browser -q -p no:cacheprovider $(PYTEST_ARGS)
	mkdir -p images/screenshots
	cp tests/output/screenshots/*.png images/screenshots/

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_montecarlo.py
	$(BIN)/python tests/benchmarks/bench_widgets.py
	$(BIN)/python tests/benchmarks/bench_browser.py

# ---------------------------------------------------------------- maintenance

LOCK_VENV := $(CURDIR)/build/lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip --disable-pip-version-check install -q -e '.[test]'
	{ echo "# Exact, tested versions for workshops and CI: used as a pip constraints file by the Makefile"; \
	  echo "#   pip install -c requirements-lock.txt -e '.[test]'"; \
	  echo "# Generated by \`make lock\` on Python $$($(LOCK_VENV)/bin/python -c 'import platform as p; print(p.python_version(), p.system(), p.machine())')"; \
	  echo "# from a clean venv: pip install -e '.[test]' && pip freeze --exclude-editable --exclude crossmargin"; \
	  echo "# numpy >= 2.3 and pandas >= 3 need Python >= 3.11; on Python 3.10 the Makefile installs"; \
	  echo "# from the ranges in pyproject.toml instead."; \
	  $(LOCK_VENV)/bin/python -m pip --disable-pip-version-check freeze --exclude-editable --exclude crossmargin; \
	} > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(LOCK_VENV)
	@echo "Wrote $(LOCK); run 'make test' and check the diff before committing."

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis tests/output tests/benchmarks/output test-results
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .virtual_documents \) -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
