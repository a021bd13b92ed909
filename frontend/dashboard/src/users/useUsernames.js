// Usernames for the user IDs the rules API answers (proposal authors, voters, users a
// back-test moves), read in one query of aliased user fields and kept for the session.
import { useEffect, useState } from 'preact/hooks';
import { useClient } from '@urql/preact';

const known = new Map();

/** The query that reads ids' usernames, one alias each. */
export function usernamesQuery(ids) {
  const vars = ids.map((_, i) => `$u${i}: ID!`).join(', ');
  const fields = ids.map((_, i) => `u${i}: user(id: $u${i}) { id username }`).join(' ');
  return `query Usernames(${vars}) { ${fields} }`;
}

/** A map from each of ids to its username, filled in as the answer comes; unknown ids are left out. */
export function useUsernames(ids) {
  const client = useClient();
  const key = [...new Set(ids.filter(Boolean))].sort().join(',');
  const [names, setNames] = useState(() => new Map(known));
  useEffect(() => {
    const missing = key ? key.split(',').filter((id) => !known.has(id)) : [];
    if (!missing.length) return;
    const variables = Object.fromEntries(missing.map((id, i) => [`u${i}`, id]));
    client.query(usernamesQuery(missing), variables, { requestPolicy: 'network-only' }).toPromise().then((result) => {
      for (const user of Object.values(result.data ?? {})) if (user) known.set(user.id, user.username);
      setNames(new Map(known));
    });
  }, [key]);
  return names;
}
