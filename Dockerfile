# The dangjian service: multi-stage build, Debian slim runtime with Graphviz and a CJK font.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p dangjian --locked \
 && cp target/release/dangjian /usr/local/bin/dangjian

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz fonts-wqy-zenhei ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /data dangjian
COPY --from=build /usr/local/bin/dangjian /usr/local/bin/dangjian
COPY seed /opt/dangjian/seed
USER dangjian
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["dangjian"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
