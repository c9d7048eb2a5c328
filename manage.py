#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
    from engagements import demo_env

    demo_env.load()  # var/demo.env, written by `make demo` only
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
