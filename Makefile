# The two commands of the README: `make run` and `make test`. Everything else they need is here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test demo serve bench golden lock teams-package playground clean \
	card-tools report-image

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
test: install card-tools
	$(BIN)/python -m pytest

## card-tools: what the Teams card test draws cards with (tests/handlers/teams/test_narrow_cards.py):
## Microsoft's adaptivecards renderer, pinned in tools/card-render (npm ci), and headless Chromium
## (Debian's chromium, installed when running as root, as CI does). Without them that test skips
## on a developer's machine and fails in CI.
CARD_RENDERER := tools/card-render/node_modules/adaptivecards/package.json

card-tools: $(CARD_RENDERER)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	      >/dev/null || echo "card-tools: apt-get install chromium failed"; \
	  else echo "card-tools: install Debian's chromium (sudo apt-get install chromium)"; fi; }

$(CARD_RENDERER): tools/card-render/package.json tools/card-render/package-lock.json
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } \
	  || echo "card-tools: npm is needed for the Teams card test (apt-get install npm)"
	@if command -v npm >/dev/null 2>&1; then cd tools/card-render \
	  && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/adaptivecards/package.json; fi

bench: install
	$(BIN)/python -m bench.run

## golden: rewrite tests/golden/answers/ from the current renderers (then read the diff)
golden: install
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/golden

## lock: re-pin requirements.txt from requirements.in
lock:
	$(PYTHON) -m venv /tmp/caseload-lock && /tmp/caseload-lock/bin/pip install -q -r requirements.in
	{ echo "# Pinned by 'pip freeze' from requirements.in (Python 3.11). Regenerate with 'make lock'."; /tmp/caseload-lock/bin/pip freeze | grep -v '^pip=='; } > requirements.txt

## playground: Teams, locally, in the Microsoft 365 Agents Playground (pinned in playground/): seeds
## the demo council if the store is empty, serves the bot in anonymous local mode on 127.0.0.1
## (needs no chat credentials set) and opens the Playground; its people are in
## .m365agentsplayground.yml, its log in devTools/. Ctrl-C stops both.
BOT_PORT ?= 3978
PLAYGROUND_PORT ?= 56150
playground: install
	@$(BIN)/python -c "import sys; from config import get_settings; s = get_settings(); \
	sys.exit(0 if s.teams_anonymous else 'make playground needs Teams anonymous local mode: unset ' \
	+ ', '.join(s.slack_settings_given + s.teams_settings_given) + ' (environment or .env).')"
	cd playground && npm ci --no-audit --no-fund --loglevel=error
	echo quit | $(BIN)/python bot.py demo > /dev/null
	$(BIN)/python bot.py serve --no-scheduler --port $(BOT_PORT) & bot=$$!; \
	trap 'kill $$bot' EXIT INT TERM; \
	playground/node_modules/.bin/agentsplayground -c msteams -p $(PLAYGROUND_PORT) --dt \
	  -e http://127.0.0.1:$(BOT_PORT)/api/messages

clean:
	rm -rf $(VENV) caseload.db demo/data tools/card-render/node_modules playground/node_modules

## teams-package: the Teams app package, build/caseload-bot-teams.zip (app id from TEAMS_APP_ID)
teams-package: install
	$(BIN)/python teams_app/package.py

## report-image: docs/report-cover.png and docs/report-page.png, pages of the performance report
## of the demo council (README); installs poppler-utils for pdftoppm if it is missing (Debian)
report-image: install
	@command -v pdftoppm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq poppler-utils; }
	$(BIN)/python -m reports.demo_image
