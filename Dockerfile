# syntax=docker/dockerfile:1
# gunicorn-companion as a container image: the single compiled binary on a slim
# glibc base, run as a non-root user under tini.
#
#   docker build -t gunicorn-companion .
#   docker run --rm -p 8000:8000 -v "$PWD:/app" gunicorn-companion
#
# The image runs `gunicorn-companion master -c /app/gunicorn.conf.ts`: mount or
# COPY your app (its config, code and node_modules) into /app, and point the
# config's companion_control_socket at $SOCKET so the health check can ask it.

# --- build: bun comes from npm (a devDependency), as in any clone -----------------
FROM node:24-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The binary for the platform being built (linux-x64 or linux-arm64), checked
# against the SHA256SUMS written next to it.
RUN node_modules/.bin/bun build/compile.ts \
 && (cd dist && sha256sum -c SHA256SUMS) \
 && install -D -m 0755 dist/gunicorn-companion-linux-* /out/gunicorn-companion

# --- run ----------------------------------------------------------------------------
FROM debian:bookworm-slim
# tini is PID 1: it forwards signals to the master and reaps the orphans a
# companion leaves behind (a master that is PID 1 would have to do both).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app /run/app \
 && chown app:app /app /run/app
COPY --from=build /out/gunicorn-companion /usr/local/bin/gunicorn-companion

# The control socket the health check asks; set companion_control_socket to it
# (companion_control_socket: process.env.SOCKET in gunicorn.conf.ts).
ENV SOCKET=/run/app/companion.sock
USER app
WORKDIR /app
EXPOSE 8000
STOPSIGNAL SIGTERM
# status exits 0 when every companion is RUNNING, 3 when one is not and 2 when
# the manager does not answer; Docker wants 1 for unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD gunicorn-companion -s "$SOCKET" status || exit 1
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/gunicorn-companion"]
CMD ["master", "-c", "/app/gunicorn.conf.ts"]
