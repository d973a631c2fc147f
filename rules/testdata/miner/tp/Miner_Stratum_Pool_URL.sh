#!/bin/sh
./xm -o stratum+tcp://pool.example:3333 -u fixture -p x
