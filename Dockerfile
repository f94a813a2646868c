# syntax=docker/dockerfile:1
# citygraph: the GraphQL service, built static and run as a non-root user.
#   docker build -t citygraph .
#   docker run -p 8080:8080 -e NEO4J_URI=bolt://host:7687 -e NEO4J_PASSWORD=... citygraph
# Without NEO4J_URI it serves the embedded store in CITYGRAPH_DATA_DIR.
# `citygraph seed /usr/share/citygraph/seed-data` loads the project's seed files.

FROM golang:1.26 AS build
WORKDIR /src
# dependencies first, so that code changes do not re-download them
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /citygraph . \
 && mkdir -p /out/var/lib/citygraph /out/usr/share/citygraph \
 && cp -r seed/data /out/usr/share/citygraph/seed-data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /citygraph /citygraph
COPY --from=build /out/usr/share/citygraph /usr/share/citygraph
# the embedded store's directory, writable by the non-root user (uid 65532)
COPY --from=build --chown=65532:65532 /out/var/lib/citygraph /var/lib/citygraph
ENV PORT=8080 \
    CITYGRAPH_DATA_DIR=/var/lib/citygraph
USER 65532:65532
VOLUME ["/var/lib/citygraph"]
EXPOSE 8080
ENTRYPOINT ["/citygraph"]
