"""The triage engine: sorts raw opinions into categories and same-problem groups.

A plain library with a command line; it never imports Django, so analysts can run it on
spreadsheets and the app can run it in a background worker.
"""
