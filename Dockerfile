FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY rollup_node ./rollup_node
COPY contracts/artifacts ./contracts/artifacts
COPY configs ./configs
RUN pip install --no-cache-dir .
ENV ROLLUP_NODE_ARTIFACTS=/app/contracts/artifacts
ENTRYPOINT ["rollup-node"]
