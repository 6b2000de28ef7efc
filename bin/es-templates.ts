/** `npm run es:templates`: installs Lantern's index templates once (see the function). */
import { installTemplatesOnce } from '../src/service/install-templates.ts';

if (!(await installTemplatesOnce())) process.exitCode = 1;
