#!/usr/bin/env bash
# DPRK-person alias and same-surname checks on the real lists (see dprk_names.py).
exec python3 "$(dirname "$0")/dprk_names.py" "$1"
