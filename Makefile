# The two commands of the README: `make run` and `make test`. Everything else they need is here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test demo serve bench golden lock teams-package clean

install: $(STAMP)

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

## run: with no chat credentials, the local demo console on the embedded SQLite store;
## with Slack or Teams credentials (environment or .env), the bot itself (bot.py serve)
run: install
	$(BIN)/python bot.py run

## serve: the chat front ends (Slack and/or Teams, per the environment) and the scheduler
serve: install
	$(BIN)/python bot.py serve

## test: the whole suite (SQLite unless TEST_DATABASE_URL names another store)
test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.run

## golden: rewrite tests/golden/answers/ from the current renderers (then read the diff)
golden: install
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/golden

## lock: re-pin requirements.txt from requirements.in
lock:
	$(PYTHON) -m venv /tmp/caseload-lock && /tmp/caseload-lock/bin/pip install -q -r requirements.in
	{ echo "# Pinned by 'pip freeze' from requirements.in (Python 3.11). Regenerate with 'make lock'."; /tmp/caseload-lock/bin/pip freeze | grep -v '^pip=='; } > requirements.txt

clean:
	rm -rf $(VENV) caseload.db demo/data

## teams-package: the Teams app package, build/caseload-bot-teams.zip (app id from TEAMS_APP_ID)
teams-package: install
	$(BIN)/python teams_app/package.py
