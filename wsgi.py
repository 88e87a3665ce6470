"""Entry point for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from app.boot import create_app_or_exit

app = create_app_or_exit()

# Every template compiled here, in gunicorn's master (preload_app), so that each worker starts
# with them: a just-started worker under a crowd otherwise compiles them while its requests
# hold database slots, and finishes were refused as if the database had stuck (app/store/waits.py).
for name in app.jinja_env.list_templates():
    app.jinja_env.get_template(name)
