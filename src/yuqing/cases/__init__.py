"""Case handling: workflow state machine, deadlines on the working-day calendar, petitions.

Pure rules live in workflow.py, playbooks.py, deadlines.py and petitions.py;
service.py and intake.py apply them to the store (``store.cases``,
``store.petitions``); inputs.py holds the inputs the web and the CLI share;
stats.py reports.
"""
