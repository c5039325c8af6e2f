# actstudy: the Makefile is the front door and the report pipeline.
#   make report              build reports/*.html and reports/index.html (default profile)
#   make report PROFILE=full paper scale;  ONLY=04 one notebook;  JOBS=1 one at a time
#   make test                set up (if needed) and run the tests
#   make lab                 JupyterLab on notebooks/ with the actstudy kernel
#   make bench               training-loop throughput -> reports/bench.md; run store against JSON
#   make data                fetch MNIST and Fashion-MNIST into data/ ahead of time
#   make clean               remove generated reports and timings (keeps data/ and .venv)
# The package in layers, each importing only those below (checked by make test):
#   cli, report, claims -> present -> analysis -> studies -> runner -> run -> sources, stats
#   run/ is what decides a run's numbers: the run cache key hashes its code's behaviour

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENV_STAMP := $(VENV)/.installed
PROFILE ?= default
ONLY ?=
# Notebooks rendered at once. One render keeps about 1.3 of the 2 cores busy (XLA compiles
# on one thread between trainings); two keep both busy and finish the default build sooner.
JOBS ?= 2
PYTEST_ARGS ?=
LAB_ARGS ?=

export KERAS_BACKEND := jax
# Quiet XLA's CPU warnings; reports and tests are about our numbers.
export TF_CPP_MIN_LOG_LEVEL := 2

# Variables given on the command line are text, never code: each is read unexpanded
# ($(value ...): `VAR=$(shell ...)` stays text; only make's own `VAR:=` and `VAR!=` syntax
# runs anything, as make does for every makefile), checked with make's own functions (no
# shell runs to check it), and only the checked copy (lower case) reaches a recipe.
comma := ,
open := (
close := )
define newline


endef
# What an argument list handed to a command may not hold: anything a shell would run.
shell_code := ` $$ ; & | < > \ $(open) $(close)
holds_shell_code = $(strip $(foreach c,$(shell_code),$(findstring $(c),$(1))) $(if \
  $(findstring $(newline),$(1)),a line break))
only_digits = $(if $(strip $(1)),$(if $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst \
  5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1))))))))))),,yes))

profile := $(value PROFILE)
only := $(value ONLY)
jobs := $(value JOBS)
python := $(value PYTHON)
pytest_args := $(value PYTEST_ARGS)
lab_args := $(value LAB_ARGS)

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
PROFILES := $(sort $(basename $(notdir $(wildcard notebooks/params/*.yaml))))

# Bad choices are said before anything is set up or run.
ifneq ($(filter $(profile),$(PROFILES)),$(profile))
$(error PROFILE=$(profile) is not allowed: choose one of $(PROFILES))
endif
ifneq ($(words $(profile)),1)
$(error PROFILE=$(profile) is not allowed: choose one of $(PROFILES))
endif
ifneq ($(only),)
ifneq ($(call only_digits,$(subst $(comma),,$(only))),yes)
$(error ONLY=$(only) is not allowed: give notebook numbers such as ONLY=04 or ONLY=02,05)
endif
NOTEBOOKS := $(filter $(foreach n,$(subst $(comma), ,$(only)),notebooks/$(n)_%),$(NOTEBOOKS))
ifeq ($(NOTEBOOKS),)
$(error ONLY=$(only) matches no notebook: give numbers such as ONLY=04 or ONLY=02,05)
endif
endif
ifneq ($(and $(call only_digits,$(jobs)),$(filter-out 0%,$(jobs))),$(or $(jobs),empty))
$(error JOBS=$(jobs) is not allowed: give how many notebooks to render at once, 1 or more)
endif
ifneq ($(or $(call holds_shell_code,$(python)),$(filter-out 1,$(words $(python)))),)
$(error PYTHON=$(python) is not allowed: give one command, such as python3 or python3.11)
endif
ifneq ($(call holds_shell_code,$(pytest_args)),)
$(error PYTEST_ARGS=$(pytest_args) is not allowed: it holds $(call holds_shell_code,$(pytest_args)), which a shell would run; give pytest options only)
endif
ifneq ($(call holds_shell_code,$(lab_args)),)
$(error LAB_ARGS=$(lab_args) is not allowed: it holds $(call holds_shell_code,$(lab_args)), which a shell would run; give jupyter lab options only)
endif
REPORTS := $(patsubst notebooks/%.ipynb,reports/%.html,$(NOTEBOOKS))
PACKAGE_SOURCES := $(wildcard actstudy/*.py actstudy/*/*.py actstudy/*/*/*.py)
PROFILE_FILE := notebooks/params/$(profile).yaml
PROFILE_STAMP := reports/.profile-$(profile)
TIMING := reports/timing-$(profile).json

.PHONY: env test report notebooks lab bench data clean lock help

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'

env: $(ENV_STAMP)

# Redone only when the package metadata or the lock change.
$(ENV_STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(python) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name actstudy --display-name "Python (actstudy)" >/dev/null
	touch $@

test: $(ENV_STAMP)
	$(BIN)/python -m pytest $(pytest_args)

data: $(ENV_STAMP)
	$(BIN)/actstudy data fetch

bench: $(ENV_STAMP)
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_store.py

# Jupyter refuses to start as root (as in many containers) unless told to.
ifeq ($(shell id -u),0)
LAB_ALLOW_ROOT := --allow-root
endif

lab: $(ENV_STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ALLOW_ROOT) $(lab_args)

# Re-resolve the pinned environment from pyproject.toml (needs the package index).
lock:
	$(python) scripts/lock.py

# The notebooks are rendered by a make of their own, JOBS at a time. With more than one,
# each render's progress bars go to reports/executed/<notebook>.log and the terminal gets a
# line a minute from each, naming its notebook, instead of two sets of bars drawn over
# each other.
PROGRESS := $(if $(filter 1,$(jobs) $(words $(REPORTS))),bars,lines)
report:
	@$(MAKE) --no-print-directory -j$(jobs) notebooks

# The two longest notebooks start first, so the two renders end close together.
FIRST := $(filter reports/04_% reports/05_%,$(REPORTS))
notebooks: $(FIRST) $(filter-out $(FIRST),$(REPORTS)) reports/index.html

# A profile switch rebuilds every report; the same profile again rebuilds nothing.
# A new or edited profile is checked whole before any notebook starts.
$(PROFILE_STAMP): $(PROFILE_FILE) | $(ENV_STAMP)
	@$(BIN)/actstudy report check --profile $(profile)
	@rm -f reports/.profile-*
	@touch $@

# With more than one render at once, each render's XLA runs its matrix products on one thread
# (added to any XLA_FLAGS of the caller's): two renders on two cores then stop taking turns on
# both. Two trainings side by side took about 5% less time so; their numbers were bitwise the
# same. One render alone keeps every core.
ONE_THREAD := --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1
RENDER_ENV := $(if $(filter 1,$(jobs) $(words $(REPORTS))),,XLA_FLAGS="$${XLA_FLAGS:+$$XLA_FLAGS }$(ONE_THREAD)")
reports/%.html: notebooks/%.ipynb $(PROFILE_FILE) $(PROFILE_STAMP) $(PACKAGE_SOURCES) | $(ENV_STAMP)
	@$(RENDER_ENV) $(BIN)/actstudy report render $< --profile $(profile) --progress $(PROGRESS)

# Activation timings are measured once per build (again only for a new or edited profile)
# and stored; the reports that show them (01 directly, 06 through its claims) read them and
# never time anything. In a full build 01 runs first, so no training shares the machine.
$(TIMING): $(PROFILE_STAMP) | $(ENV_STAMP)
	@$(BIN)/actstudy timing --profile $(profile)

reports/01_activation_gallery.html reports/06_findings.html: $(TIMING)

# The timing claims are decided over this machine's builds: a study of earlier builds kept
# beside the profile (actstudy timing-builds), which this build's timing joins, and held to
# the other studied machines' own builds (timing-builds-<profile>.<machine>.json).
reports/06_findings.html: $(wildcard notebooks/params/timing-builds-$(profile).json \
  notebooks/params/timing-builds-$(profile).*.json)

# Timing runs alone: in a build that times, every notebook waits for it (order only).
ifneq ($(filter reports/01_% reports/06_%,$(REPORTS)),)
$(filter-out reports/01_% reports/06_%,$(REPORTS)): | $(TIMING)
endif

# 07 evaluates 02's sine networks: it renders after 02, so the two never train them twice.
ifneq ($(and $(filter reports/02_%,$(REPORTS)),$(filter reports/07_%,$(REPORTS))),)
$(filter reports/07_%,$(REPORTS)): | $(filter reports/02_%,$(REPORTS))
endif

# The findings read the other reports' runs, so they render last (order only: a change to
# another report does not by itself rebuild them) and train nothing the others did not.
reports/06_findings.html: | $(filter-out reports/06_findings.html,$(REPORTS))

reports/index.html: $(REPORTS) $(PACKAGE_SOURCES) | $(ENV_STAMP)
	@$(BIN)/actstudy report index --profile $(profile)

clean:
	rm -rf reports/*.html reports/executed reports/.profile-* reports/timing-*.json reports/bench.md
