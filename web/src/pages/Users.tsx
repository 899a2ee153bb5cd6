import { SearchList } from './Search';

export function Users() {
  return (
    <section>
      <h1>Users</h1>
      <p className="muted">The 100 most active users matching the search. Open one to see their history and recommendations.</p>
      <SearchList kind="users" />
    </section>
  );
}
