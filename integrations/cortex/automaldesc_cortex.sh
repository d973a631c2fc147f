#!/bin/sh
# Cortex runs this with the job directory as its only argument.
# AUTOMALDESC_CONFIG may point at a config file (rules dirs, limits, model).
exec automaldesc cortex "$1"
