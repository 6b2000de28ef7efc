import type { Deployment, VersionDetection } from '../../contracts/api/deployments.ts';
import { dateTime } from '../format.ts';
import { deployTitle } from './deploy-markers.ts';

/**
 * A service's deploys in the page's range, newest first: detected ones (a new service.version
 * took over its spans) and marked ones (a pipeline said so, with who and a link). A service
 * whose spans carry no version says so, in the API's words, rather than showing an empty list.
 * Each version links to its before/after comparison (`open(version)`); the open one is selected.
 */
export function DeployList(props: {
  deployments: readonly Deployment[];
  detection: VersionDetection;
  opened: string | null;
  open: (version: string) => string;
}) {
  const newestFirst = [...props.deployments].reverse();
  return (
    <>
      <h2>Deploys</h2>
      <p class="muted deploy-key">
        On the charts: <span class="key detected" /> detected from service.version,{' '}
        <span class="key marked" /> marked by a pipeline
      </p>
      {props.detection.status !== 'versioned' && (
        <p class="muted" data-detection={props.detection.status}>
          {props.detection.note}
        </p>
      )}
      {newestFirst.length === 0 && props.detection.status === 'versioned' && (
        <p class="muted">No deploys in this range.</p>
      )}
      {newestFirst.length > 0 && (
        <table class="grid" aria-label="deploys">
          <thead>
            <tr>
              <th>version</th>
              <th>previous</th>
              <th>when</th>
              <th>source</th>
              <th>by</th>
              <th>link</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((d) => (
              <tr
                key={`${d.source}:${d.version}:${d.at}`}
                data-version={d.version}
                data-source={d.source}
                title={deployTitle(d)}
                class={d.version === props.opened ? 'selected' : undefined}
              >
                <td class="mono">
                  <a href={props.open(d.version)}>{d.version}</a>
                </td>
                <td class="mono">{d.previousVersion ?? '–'}</td>
                <td>{dateTime(d.at)}</td>
                <td>
                  <span class={`source ${d.source}`}>{d.source}</span>
                </td>
                <td>{d.by ?? ''}</td>
                <td>
                  {d.link ? (
                    <a href={d.link} target="_blank" rel="noreferrer">
                      {d.link}
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
