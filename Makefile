# site-builder: thin targets over the `site-builder` CLI, which decides what is stale.
#   make post ARTIST=lucybell          sample, transcode, publish, write the post, build the site
#   make post RUNS="joy_division lucybell" TITLE="..."   one post over runs already made
#   make posts / make blog             regenerate every generated post (/ and build the site)
#   make plan ARTIST=joy_division MODEL=5b N=16 LENGTH=60 GPU=v100-16gb   memory, steps, time
# Variables: ARTIST RUN RUNS TITLE MODEL N LENGTH SEED GENRES BATCH GPU EXECUTOR PUBLISHER FORCE WAIT YES

PYTHON ?= python3
VENV   := .venv
SB     := $(VENV)/bin/site-builder
STAMP  := $(VENV)/.installed

RUN_ARGS = $(if $(ARTIST),--artist '$(ARTIST)') $(if $(RUN),--run '$(RUN)') \
	$(if $(MODEL),--model '$(MODEL)') $(if $(N),--n '$(N)') $(if $(LENGTH),--length '$(LENGTH)') \
	$(if $(SEED),--seed '$(SEED)') $(if $(GENRES),--genres '$(GENRES)') \
	$(if $(LEVELS),--levels '$(LEVELS)') $(if $(BATCH),--batch '$(BATCH)') $(if $(GPU),--gpu '$(GPU)') \
	$(if $(IMPORT),--import-from '$(IMPORT)') \
	$(if $(EXECUTOR),--executor '$(EXECUTOR)') $(if $(PUBLISHER),--publisher '$(PUBLISHER)') \
	$(if $(filter 1 yes true,$(FORCE)),--force) $(if $(filter 1 yes true,$(WAIT)),--wait) \
	$(if $(filter 1 yes true,$(DRY_RUN)),--dry-run) $(if $(filter 1 yes true,$(SANDBOX)),--sandbox) \
	$(if $(RUNS),--runs '$(RUNS)') $(if $(TITLE),--title '$(subst ','\'',$(TITLE))')

.PHONY: install plan gpu-check gpu-bundle sample mp3 analyse publish post posts blog fix-embeds site serve artists genres models \
	status collection clean test

install: $(STAMP)

# torch is pinned first so a CPU machine takes its local CPU wheel; a GPU cluster
# that already has torch >= 2.7 keeps its own build.
# Quiet but for its steps and errors (-qq: pip's warnings only clutter a first run).
PIP = PIP_DISABLE_PIP_VERSION_CHECK=1 $(VENV)/bin/pip install -qq
$(STAMP): pyproject.toml
	@test -d $(VENV) || { echo "install: creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "install: pip"; $(PIP) --upgrade pip
	@$(VENV)/bin/python -c "import torch" 2>/dev/null || { echo "install: torch 2.13.0 (CPU build, the largest step)"; $(PIP) torch==2.13.0; }
	@echo "install: site-builder and its dependencies"; $(PIP) -e '.[test]'
	@touch $@; echo "install: done ($(VENV))"

plan sample mp3 analyse publish post: $(STAMP)
	@$(SB) $@ $(RUN_ARGS)

site: $(STAMP)
	@$(SB) site

posts blog: $(STAMP)
	@$(SB) $@ $(if $(filter 1 yes true,$(FORCE)),--force)

fix-embeds: $(STAMP)
	@$(SB) fix-embeds $(if $(filter 1 yes true,$(YES)),--yes)

collection: $(STAMP)
	@$(SB) collection

serve: $(STAMP)
	@$(SB) serve $(if $(PORT),--port $(PORT))

artists genres: $(STAMP)
	@$(SB) $@ $(if $(SEARCH),--search '$(SEARCH)') $(if $(MODEL),--model '$(MODEL)')

status: $(STAMP)
	@$(SB) status

models: $(STAMP)
	@$(SB) models $(if $(MODEL),--model '$(MODEL)')

clean: $(STAMP)
	@$(SB) clean $(if $(RUN),--run '$(RUN)') $(if $(filter 1 yes true,$(ALL)),--all)

# Every level at real size with random weights on this machine's GPU; needs only torch
# and what `make gpu-bundle` (run where the package index is reachable) puts in .gpu-vendor/.
gpu-check:
	$(PYTHON) bench/gpu_check.py

gpu-bundle: $(STAMP)
	$(VENV)/bin/pip install --quiet --no-deps --target .gpu-vendor jukebox-infer tqdm unidecode lazy_loader librosa

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q
