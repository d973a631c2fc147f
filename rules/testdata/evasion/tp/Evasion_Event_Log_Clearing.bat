wevtutil cl Security
wevtutil cl System
