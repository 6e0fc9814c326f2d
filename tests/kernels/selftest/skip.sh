#!/bin/bash
# Harness self-test: exit status 77 is reported as SKIP, not as a failure.
echo "skip: always skips (checks the harness's skip path)"
exit 77
