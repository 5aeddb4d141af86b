// A sign-in link may carry the token in its fragment (/signin#token=...): the fragment never
// reaches the server or its logs. Fill the form with it, drop it from the address bar, submit.
const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
if (match) {
  history.replaceState(null, "", location.pathname + location.search);
  const start = () => {
    document.getElementById("token").value = decodeURIComponent(match[1]);
    document.getElementById("signin").submit();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
