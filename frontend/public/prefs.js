// 长辈模式 before the first paint: the app keeps the last user's choice in localStorage (the
// server keeps it per user, GET /me → elder_mode), so large text shows without a flash.
try { if (localStorage.getItem('chaincrm.elderMode') === '1') document.documentElement.classList.add('elder') } catch (e) { /* storage off */ }
