import os, requests, hashlib
def fetch(url, dest):
    r = requests.get(url, timeout=10)
    r.raise_for_status()
    with open(dest, 'wb') as f:
        f.write(r.content)
    return hashlib.sha256(r.content).hexdigest()
if __name__ == '__main__':
    print(fetch('https://data.example/dataset.csv', 'dataset.csv'))
