"""The Slack front end: slash commands, DMs, buttons and modals, App Home (see app.build_app).

Each module has `register(app, front)`, as in slack-samples' bolt-python templates.
"""
