// KCPO partner portal - initialise GOV.UK Frontend components.
// Load as an ES module: <script type="module" src="/assets/init.js"></script>
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
