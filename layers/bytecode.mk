# Included by both layers' Makefiles and the root Makefile: finds the Lambda runtime's Python and ships
# bytecode that Lambda can use. Lambda mounts layers read-only on /opt, so Python can never write a .pyc
# there: a module without a valid one is compiled again on every cold start. A valid one needs
#  - the runtime's minor version: each has its own magic number, and cpython-312 files are ignored by 3.13;
#  - hash-based invalidation: `sam deploy` zips every file with a 1980 date, so timestamp .pyc files no
#    longer match their sources' dates on Lambda and are recompiled (and cannot be rewritten) every time;
#  - unchecked-hash: a layer never changes once published, so even hashing each source is wasted work.
LAMBDA_PYTHON_VERSION := 3.13
# The first working python3.13 of: PATH, pyenv, uv (only interpreters it already has; it downloads none).
ifndef LAMBDA_PYTHON
LAMBDA_PYTHON := $(shell for p in python$(LAMBDA_PYTHON_VERSION) \
	$$(pyenv root 2>/dev/null)/versions/$(LAMBDA_PYTHON_VERSION)*/bin/python$(LAMBDA_PYTHON_VERSION) \
	$$(uv python find $(LAMBDA_PYTHON_VERSION) 2>/dev/null); do \
	$$p -c 'import sys; sys.exit(not sys.version.startswith("$(LAMBDA_PYTHON_VERSION)."))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
endif

# $(call compile_bytecode,<folder Lambda mounts>,<where it mounts it>): a .pyc beside every module, whose
# tracebacks name the file where Lambda has it. Sources stay, so tracebacks still show the failing line.
# Without Python 3.13 the layer still builds, without bytecode, and the build says what that costs.
ifeq ($(LAMBDA_PYTHON),)
compile_bytecode = @echo "WARNING: no Python $(LAMBDA_PYTHON_VERSION) found (PATH, pyenv, uv), so $(1) ships without \
bytecode and every cold start compiles it again: about twice the CPU of a precompiled start (README, Performance). \
Install Python $(LAMBDA_PYTHON_VERSION) or pass LAMBDA_PYTHON=/path/to/python$(LAMBDA_PYTHON_VERSION)."
else
compile_bytecode = $(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash -s "$(1)" -p "$(2)" "$(1)"
endif
