import { type FormEvent, useState } from 'react';
import { apiKey, setApiKey } from './api';
import { Experiments } from './pages/Experiments';
import { ItemPage } from './pages/Item';
import { Items } from './pages/Items';
import { Models } from './pages/Models';
import { Overview } from './pages/Overview';
import { UserPage } from './pages/User';
import { Users } from './pages/Users';
import { Link, useRoute } from './router';

const NAV: [string, string][] = [
  ['', 'Overview'],
  ['users', 'Users'],
  ['items', 'Items'],
  ['models', 'Models'],
  ['experiments', 'Experiments'],
];

/** The page for a path: '', 'users', 'users/<id>', 'items', 'items/<id>', 'models', 'experiments'. */
function Page({ path }: { path: string }) {
  const [section, ...rest] = path.split('/');
  const id = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  switch (section) {
    case '':
      return <Overview />;
    case 'users':
      return id === undefined ? <Users /> : <UserPage key={id} id={id} />;
    case 'items':
      return id === undefined ? <Items /> : <ItemPage key={id} id={id} />;
    case 'models':
      return <Models />;
    case 'experiments':
      return <Experiments />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no dashboard page <code>{path}</code>. <Link to="">Back to the overview</Link>.
          </p>
        </section>
      );
  }
}

function KeyForm() {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(apiKey());
  if (!editing) {
    return (
      <button type="button" className="link" onClick={() => setEditing(true)}>
        {apiKey() ? 'API key set' : 'API key'}
      </button>
    );
  }
  const save = (e: FormEvent) => {
    e.preventDefault();
    setApiKey(value.trim());
    window.location.reload();
  };
  return (
    <form onSubmit={save} className="key-form">
      <input type="password" placeholder="API key (kept in this browser)" value={value} onChange={(e) => setValue(e.target.value)} aria-label="API key" />
      <button type="submit">Save</button>
    </form>
  );
}

export function App() {
  const { path } = useRoute();
  const section = path.split('/')[0];
  return (
    <>
      <header className="top">
        <span className="brand">unirec</span>
        <nav>
          {NAV.map(([to, label]) => (
            <Link key={to} to={to} className={section === to ? 'active' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <KeyForm />
      </header>
      <main>
        <Page path={path} />
      </main>
    </>
  );
}
