"""The ceiling for bench/load.py: a bare Django project whose one view inserts one row.

It runs under the same gunicorn settings and PostgreSQL as civicdesk in the same benchmark
run, so the ratio of the two throughputs says how much of the machine civicdesk's own work
costs, whatever the machine.
"""
