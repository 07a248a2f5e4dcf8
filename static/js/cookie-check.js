// Tell people up front when their browser refuses cookies: signing in needs
// them, and otherwise the only sign would be a failed form. (Without
// JavaScript, the CSRF failure page says the same after submitting.)
(function () {
  var cookiesWork = navigator.cookieEnabled;
  if (cookiesWork) {
    document.cookie = "icx_cookie_check=1; SameSite=Lax; path=/";
    cookiesWork = document.cookie.indexOf("icx_cookie_check=1") !== -1;
    document.cookie = "icx_cookie_check=; Max-Age=0; SameSite=Lax; path=/";
  }
  if (!cookiesWork) {
    var notice = document.getElementById("cookies-needed");
    if (notice) notice.hidden = false;
  }
})();
