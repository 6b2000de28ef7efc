import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { token } from './api.ts';
import { field } from './form.ts';
import { AlertDetail } from './pages/alert.tsx';
import { Alerts } from './pages/alerts.tsx';
import { IncidentDetail } from './pages/incident.tsx';
import { Incidents } from './pages/incidents.tsx';
import { Logs } from './pages/logs.tsx';
import { Overview } from './pages/overview.tsx';
import { Service } from './pages/service.tsx';
import { ServiceMap } from './pages/service-map.tsx';
import { Storage } from './pages/storage.tsx';
import { Trace } from './pages/trace.tsx';
import { Traces } from './pages/traces.tsx';
import { onLinkClick, parseRoute, useLocation } from './router.ts';

const NAV = [
  ['/', 'Overview'],
  ['/incidents', 'Incidents'],
  ['/alerts', 'Alerts'],
  ['/map', 'Map'],
  ['/traces', 'Traces'],
  ['/logs', 'Logs'],
  ['/storage', 'Storage'],
] as const;

/**
 * Asked for once when the API wants a token; kept for this tab only (sessionStorage). When the
 * API refused the token this tab held, the prompt says so rather than asking as if for the
 * first time.
 */
function TokenPrompt({ refused, onDone }: { refused: boolean; onDone: () => void }) {
  return (
    <form
      class="token-prompt"
      aria-label="API token"
      onSubmit={(event) => {
        event.preventDefault();
        const value = field(new FormData(event.currentTarget), 'token');
        if (value) token.set(value);
        onDone();
      }}
    >
      <h1>Lantern</h1>
      <p>This Lantern needs its API token (LANTERN_API_TOKEN).</p>
      {refused && (
        <p class="token-refused" role="alert">
          That token was refused: it is not this service's LANTERN_API_TOKEN.
        </p>
      )}
      <input
        name="token"
        type="password"
        placeholder="API token"
        autoComplete="off"
        aria-label="token"
        autoFocus
      />
      <button type="submit">Open the console</button>
    </form>
  );
}

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  const route = parseRoute(path);
  switch (route.page) {
    case 'overview':
      return <Overview query={query} />;
    case 'service':
      return <Service service={route.service} query={query} />;
    case 'alerts':
      return <Alerts query={query} />;
    case 'alert':
      return <AlertDetail id={route.id} />;
    case 'incidents':
      return <Incidents query={query} />;
    case 'incident':
      return <IncidentDetail id={route.id} />;
    case 'traces':
      return <Traces query={query} />;
    case 'trace':
      return <Trace traceId={route.traceId} />;
    case 'map':
      return <ServiceMap query={query} />;
    case 'logs':
      return <Logs query={query} />;
    case 'storage':
      return <Storage />;
    case 'missing':
      return <p>Nothing here: {route.path}</p>;
  }
}

function App() {
  const { path, query } = useLocation();
  /** Why the prompt shows: no token yet, or the one held was refused. */
  const [locked, setLocked] = useState<'asked' | 'refused' | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const unauthorized = (): void => {
      const held = token.get() !== null;
      token.clear();
      // A page's other requests are refused too, after the token is cleared: keep `refused`.
      setLocked((current) => (held || current === 'refused' ? 'refused' : 'asked'));
    };
    addEventListener('lantern:unauthorized', unauthorized);
    return () => {
      removeEventListener('lantern:unauthorized', unauthorized);
    };
  }, []);
  if (locked) {
    return (
      <TokenPrompt
        refused={locked === 'refused'}
        onDone={() => {
          setLocked(undefined);
          setGeneration(generation + 1);
        }}
      />
    );
  }
  return (
    <div class="shell" onClick={onLinkClick}>
      <nav aria-label="main">
        <a class="brand" href="/">
          Lantern
        </a>
        {NAV.map(([href, label]) => (
          <a
            key={href}
            href={href}
            aria-current={
              (href === '/' ? path === '/' : path.startsWith(href)) ? 'page' : undefined
            }
          >
            {label}
          </a>
        ))}
      </nav>
      <main key={generation}>
        <Page path={path} query={query} />
      </main>
    </div>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
