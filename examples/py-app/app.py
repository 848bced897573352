"""The seed's demo service: answers with the machine architecture it runs on.

Run the multi-arch image on an amd64 host and it says x86_64; on an arm64 host, aarch64.
"""
import platform

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from " + platform.machine() + "\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
