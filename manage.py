#!/usr/bin/env python
import sys

if __name__ == "__main__":
    from django.core.exceptions import ImproperlyConfigured

    from cms.settings_module import default_settings_module

    try:
        default_settings_module()
    except ImproperlyConfigured as refused:
        sys.exit(f"manage.py: {refused}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
