"""Case handling: workflow state machine, deadlines on the working-day calendar, petitions.

Pure rules live in workflow.py, playbooks.py, deadlines.py and petitions.py;
service.py applies them to the store (store/cases.py); stats.py reports.
"""
