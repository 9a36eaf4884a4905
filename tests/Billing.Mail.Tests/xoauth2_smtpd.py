# An aiosmtpd that offers only XOAUTH2 (without TLS: loopback only) and requires it: user "billing@example.com" with
# the access token in the file TOKEN_FILE (read at every login), storing messages with the project's handler.
# Usage: xoauth2_smtpd.py REPO_DEPLOY_LOCAL_DIR PORT MAILDIR TOKEN_FILE
import asyncio, base64, sys
sys.path.insert(0, sys.argv[1])
from aiosmtpd.smtp import SMTP, AuthResult
from smtp_maildir import MaildirHandler


class XOAuth2Handler(MaildirHandler):
    def __init__(self, maildir, token_file):
        super().__init__(maildir)
        self.token_file = token_file

    async def auth_XOAUTH2(self, server, args):
        # RFC-less but documented format: "user=" user ^A "auth=Bearer " token ^A ^A, base64, as the initial response.
        if len(args) != 2:
            return AuthResult(success=False)
        try:
            fields = dict(f.split("=", 1) for f in base64.b64decode(args[1]).decode().split("\x01") if f)
        except Exception:
            return AuthResult(success=False)
        with open(self.token_file) as f:
            token = f.read().strip()
        ok = fields.get("user") == "billing@example.com" and fields.get("auth") == "Bearer " + token
        return AuthResult(success=ok, handled=False)


async def main():
    handler = XOAuth2Handler(sys.argv[3], sys.argv[4])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, auth_required=True, auth_require_tls=False, auth_exclude_mechanism=["LOGIN", "PLAIN"]),
        "127.0.0.1", int(sys.argv[2]))
    async with server:
        await server.serve_forever()

asyncio.run(main())
