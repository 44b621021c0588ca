// The test page's script: next-auth v4's own browser client (next-auth/react), unchanged,
// talking to authmw on the same origin. The tests call the client's functions through
// `window.nextAuth` and read useSession()'s status from the rendered view.
import * as React from "react";
import { createRoot } from "react-dom/client";
import {
  SessionProvider,
  getCsrfToken,
  getProviders,
  getSession,
  signIn,
  signOut,
  useSession,
} from "next-auth/react";

// Every status useSession() went through since this document loaded (a reload starts over).
const statuses = [];

window.nextAuth = {
  getSession,
  getCsrfToken,
  getProviders,
  signIn,
  signOut,
  update: null, // useSession().update, set once the view has rendered
  statuses,
  loadedAt: Date.now(),
};

function SessionView() {
  const { data, status, update } = useSession();
  if (statuses[statuses.length - 1] !== status) statuses.push(status);
  React.useEffect(() => {
    window.nextAuth.update = update;
  }, [update]);
  return (
    <main>
      <p id="status" data-status={status}>
        {status}
      </p>
      <pre id="session">{data ? JSON.stringify(data) : ""}</pre>
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <SessionProvider basePath="/api/auth" refetchOnWindowFocus={false}>
    <SessionView />
  </SessionProvider>,
);
