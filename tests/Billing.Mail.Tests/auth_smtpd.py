# An aiosmtpd that requires AUTH (PLAIN or LOGIN, without TLS: loopback only) from user "billing" with password
# "s3cret", storing messages with the project's handler. Usage: auth_smtpd.py REPO_DEPLOY_LOCAL_DIR PORT MAILDIR
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from smtp_maildir import MaildirHandler

def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"billing" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

async def main():
    handler = MaildirHandler(sys.argv[3])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, authenticator=authenticate, auth_required=True, auth_require_tls=False), "127.0.0.1", int(sys.argv[2]))
    async with server:
        await server.serve_forever()

asyncio.run(main())
