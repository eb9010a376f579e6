// GraphiQL on /graphql or /metadata, with the session's playground key.
(async () => {
  const root = document.getElementById("graphiql");
  const { endpoint, schema, tokenUrl, defaultQuery } = root.dataset;
  const prefix = `hookwire:${schema}:`;
  const storage = {
    getItem: (key) => localStorage.getItem(prefix + key),
    setItem: (key, value) => localStorage.setItem(prefix + key, value),
    removeItem: (key) => localStorage.removeItem(prefix + key),
    clear: () => {},
    get length() {
      return localStorage.length;
    },
  };
  try {
    const token = await window.hookwirePlayground.token(tokenUrl);
    const fetcher = GraphiQL.createFetcher({
      url: endpoint,
      headers: { Authorization: `Bearer ${token}` },
    });
    root.textContent = "";
    ReactDOM.createRoot(root).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, storage }),
    );
  } catch (error) {
    root.textContent = error.message;
  }
})();
