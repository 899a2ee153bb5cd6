import { SearchList } from './Search';

export function Items() {
  return (
    <section>
      <h1>Items</h1>
      <p className="muted">The 100 most popular items matching the search. Open one to see what is similar to it.</p>
      <SearchList kind="items" />
    </section>
  );
}
